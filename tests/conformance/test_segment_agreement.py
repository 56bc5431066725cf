"""Segment sizes and exports agree with a brute-force evaluation over the exported profiles.

Generated people are ingested through the service; consent is recorded for some of their
email addresses. The brute force (brute_force.py) is written from the README's description
of the filter language, independently of any store: it reads every exported profile and the
events sent that the store kept, and evaluates each definition in Python.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from datora_graph.config import Settings
from datora_graph.demo.generator import generate
from datora_graph.domain.consent import ConsentStatement, current_consent
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import STANDARD_ATTRIBUTES, parse_event
from datora_graph.domain.segments import (
    ORDERING,
    TRAIT_OPERATORS,
    SegmentQuery,
    parse_definition,
)
from datora_graph.domain.traits import (
    TIME_TRAITS,
    TRAIT_NAMES,
    CreditedEvent,
    TraitFacts,
    TraitSettings,
    compute_traits,
    summarise,
    to_cents,
)
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

from .brute_force import Person, brute_force
from .conftest import module_or_test
from .segment_world import all_members

AS_OF = datetime(2025, 7, 1, tzinfo=UTC)
PURPOSE = "email_marketing"
SETTINGS = TraitSettings()
DEFINITIONS: list[dict[str, Any]] = [
    {"event": {"type": "purchase", "at_least": 2, "within_days": 90}},
    {
        "all": [
            {"event": {"type": "purchase", "at_least": 2, "within_days": 365}},
            {"identifier": "email"},
            {"consent": PURPOSE},
        ]
    },
    {"event": {"type": "page_view", "at_least": 2}},
    {"event": {"type": "purchase", "within_days": 200, "where": {"revenue": {"gte": 80}}}},
    {"event": {"type": "support_call", "where": {"reason": {"in": ["billing", "returns"]}}}},
    {"trait": "total_revenue", "gte": 100},
    {"trait": "customer_lifetime_value", "gte": 150},
    {"trait": "engagement_score", "gte": 40},
    {"trait": "recency_days", "lte": 60},
    {"trait": "average_order_value", "lt": 50},
    {"trait": "first_seen", "lt": "2024-06-01T00:00:00Z"},
    {"attribute": "city", "in": ["Boston", "Seattle", "Austin"]},
    {"attribute": "last_name", "contains": "son"},
    {"not": {"attribute": "country", "exists": True}},
    {"attribute": "birth_date", "gte": "1990-01-01"},
    {"any": [{"identifier": "crm_id"}, {"trait": "data_quality", "gte": 0.7}]},
    {"all": [{"identifier": "phone"}, {"not": {"consent": {"purpose": PURPOSE}}}]},
]


@pytest.fixture(scope="module")
def data() -> Any:
    return varied(generate(250, seed=11))


def varied(data: Any) -> Any:
    """The generated records with attributes and event properties of every JSON kind, a name
    holding text for some and a number or true/false for others (`roll` picks by ID), so
    comparisons meet values of the wrong kind, lists and objects."""
    kinds: list[Any] = [120, "120", 7.5, True, False, ["gold", "vip"], "gold", {"tier": 1}, None, 0]
    for n, item in enumerate(data.observations):
        if n % 3 == 0:
            item.setdefault("attributes", {})["loyalty"] = kinds[roll(item["id"]) % len(kinds)]
        if n % 5 == 1:
            item.setdefault("attributes", {})["nickname"] = ["Jo", "", " jo ", "Jo Jo"][n % 4]
    for n, item in enumerate(data.events):
        if n % 4 == 0:
            item.setdefault("properties", {})["gift"] = kinds[roll(item["id"]) % len(kinds)]
    return data


def roll(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


@pytest.fixture(scope=module_or_test)
def graph(module_store: GraphStore, data: Any) -> tuple[GraphStore, dict[str, Person], list[Any]]:
    """The generated people in a store, once per adapter: the tests only read it."""
    store = module_store
    service = IdentityService(store, Settings())
    service.ingest_observations(data.observations)
    service.ingest_events(data.events)
    people = _people(store, service, data.events)
    store.record_consent(_consent(people))
    # With the statements the generated sign-ups carried: the brute force sees all the input.
    statements = [s for batch in store.iter_consent_statements() for s in batch]
    return store, people, statements


def test_the_generated_graph_gives_every_kind_of_condition_something_to_find(
    graph: tuple[GraphStore, dict[str, Person], list[Any]],
) -> None:
    _store, people, statements = graph
    sizes = [brute_force(parse_definition(d), people, statements, AS_OF) for d in DEFINITIONS]

    assert len(people) > 200
    assert all(0 < len(found) < len(people) for found in sizes), [len(s) for s in sizes]


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: next(iter(d)))
def test_sizes_and_members_agree_with_brute_force(
    graph: tuple[GraphStore, dict[str, Person], list[Any]], definition: dict[str, Any]
) -> None:
    store, people, statements = graph
    condition = parse_definition(definition)
    query = SegmentQuery(condition, AS_OF, SETTINGS)

    expected = brute_force(condition, people, statements, AS_OF)

    size = store.segment_sizes([query])[0]
    assert (size.size, size.people) == (len(expected), len(people))
    assert all_members(store, query, 40) == sorted(expected)


def test_every_size_in_one_pass_agrees_with_brute_force(
    graph: tuple[GraphStore, dict[str, Person], list[Any]],
) -> None:
    store, people, statements = graph
    conditions = [parse_definition(d) for d in DEFINITIONS]

    sizes = store.segment_sizes([SegmentQuery(c, AS_OF, SETTINGS) for c in conditions])

    assert [s.size for s in sizes] == [
        len(brute_force(c, people, statements, AS_OF)) for c in conditions
    ]


@pytest.mark.parametrize(
    ("kind", "purpose"), [("email", PURPOSE), ("email", None), ("phone", None)]
)
def test_exports_agree_with_brute_force(
    graph: tuple[GraphStore, dict[str, Person], list[Any]], kind: str, purpose: str | None
) -> None:
    store, people, statements = graph
    condition = parse_definition(DEFINITIONS[5])
    granted = {
        key
        for (key, p), state in current_consent(statements).items()
        if p == purpose and state.granted
    }
    expected = sorted(
        (pid, key.partition(":")[2])
        for pid in brute_force(condition, people, statements, AS_OF)
        for key in people[pid].keys
        if key.startswith(f"{kind}:") and (purpose is None or key in granted)
    )

    batches = store.iter_segment_contacts(SegmentQuery(condition, AS_OF, SETTINGS), kind, purpose)
    exported = [(c.profile_id, c.identifier.value) for batch in batches for c in batch]

    assert exported == expected
    assert exported, "the export has contacts to compare"


# -- any definition ---------------------------------------------------------------------------
TEXTS = ["Houston", "TX", "US", "F", "1990-01-01", "gold", "Jo", "", "son", "billing", "SKU-00141"]
scalars = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from([0, 1, 7.5, 19.99, 100, 120, -1]),
    st.booleans(),
)
ATTRIBUTES = [*STANDARD_ATTRIBUTES, "loyalty", "nickname", "absent"]
PROPERTIES = ["revenue", "sku", "currency", "n", "duration_s", "reason", "gift", "absent"]


def comparisons() -> st.SearchStrategy[dict[str, Any]]:
    """One comparison of any operator with an operand it takes."""
    return st.one_of(
        st.fixed_dictionaries({"exists": st.booleans()}),
        st.fixed_dictionaries({"in": st.lists(scalars, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"contains": st.sampled_from(TEXTS)}),
        st.sampled_from(["eq", "ne"]).flatmap(lambda op: st.fixed_dictionaries({op: scalars})),
        st.sampled_from(sorted(ORDERING)).flatmap(
            lambda op: st.fixed_dictionaries(
                {op: st.one_of(st.sampled_from(TEXTS), st.sampled_from([0, 1, 7.5, 100, -1]))}
            )
        ),
    )


def trait_conditions() -> st.SearchStrategy[dict[str, Any]]:
    def of(trait: str) -> st.SearchStrategy[dict[str, Any]]:
        operand = (
            st.sampled_from(
                ["2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2025-06-30T12:00:00Z"]
            )
            if trait in TIME_TRAITS
            else st.sampled_from([0, 0.5, 1, 2, 20, 50, 100, 150, 400])
        )
        return st.sampled_from(TRAIT_OPERATORS).flatmap(
            lambda op: operand.map(lambda value: {"trait": trait, op: value})
        )

    return st.sampled_from(TRAIT_NAMES).flatmap(of)


events = st.fixed_dictionaries(
    {"type": st.sampled_from(["purchase", "page_view", "support_call", "add_to_cart", "none"])},
    optional={
        "at_least": st.integers(1, 3),
        "within_days": st.sampled_from([1, 30, 90, 365, 1000]),
        "where": st.dictionaries(st.sampled_from(PROPERTIES), comparisons(), max_size=2),
    },
).map(lambda event: {"event": event})
leaves = st.one_of(
    st.tuples(st.sampled_from(ATTRIBUTES), comparisons()).map(
        lambda pair: {"attribute": pair[0], **pair[1]}
    ),
    trait_conditions(),
    events,
    st.sampled_from(["email", "phone", "crm_id", "cookie_id"]).map(lambda t: {"identifier": t}),
    st.one_of(
        st.sampled_from([PURPOSE, "sms"]),
        st.fixed_dictionaries(
            {"purpose": st.sampled_from([PURPOSE, "sms"])},
            optional={"identifier": st.sampled_from(["email", "phone"])},
        ),
    ).map(lambda c: {"consent": c}),
)
definitions = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definition=definitions)
def test_any_definition_agrees_with_brute_force(
    graph: tuple[GraphStore, dict[str, Person], list[Any]], definition: dict[str, Any]
) -> None:
    """Random definitions of every kind of condition, nested, over values of every JSON kind:
    the store's members, size and the segments it probes per profile are the brute force's."""
    store, people, statements = graph
    condition = parse_definition(definition)
    query = SegmentQuery(condition, AS_OF, SETTINGS)
    expected = brute_force(condition, people, statements, AS_OF)
    event("empty" if not expected else "all" if len(expected) == len(people) else "some")

    assert all_members(store, query, 40) == sorted(expected), definition
    assert store.segment_sizes([query])[0].size == len(expected)
    sample = sorted(people)[:: len(people) // 12]
    probed = store.segment_memberships(sample, {"q": query})
    assert sorted(pid for pid, keys in probed.items() if "q" in keys) == sorted(
        pid for pid in sample if pid in expected
    ), definition


# -- the brute force ------------------------------------------------------------------------
def _people(
    store: GraphStore, service: IdentityService, raw_events: list[Any]
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    owner: dict[str, str] = {}
    for batch in store.iter_profiles():
        for profile in batch:
            if profile.junk:
                continue
            keys = [p.identifier.key for p in profile.identifiers]
            people[profile.id] = Person(profile.id, dict(profile.attributes), keys)
            owner.update(dict.fromkeys(keys, profile.id))
    stored = store.known_event_ids([e["id"] for e in raw_events])
    for raw in raw_events:
        if raw["id"] in stored:
            parsed = parse_event(raw, service.registry)
            holder = owner.get(parsed.identifiers[0].key)  # credited to the first identifier
            if holder is not None:
                people[holder].events.append(parsed)
    profiles = store.get_profiles(list(people))
    for person in people.values():
        profile = profiles[person.id]
        credited = [
            CreditedEvent(e.type, e.occurred_at, to_cents(e.properties.get("revenue")))
            for e in person.events
        ]
        facts = TraitFacts(
            person.id,
            profile.created_at,
            profile.updated_at,
            frozenset(person.attributes),
            frozenset(k.partition(":")[0] for k in person.keys),
            summarise(credited, SETTINGS),
        )
        person.traits = compute_traits(facts, SETTINGS, AS_OF)
    return people


def _consent(people: dict[str, Person]) -> list[ConsentStatement]:
    """Consent for about 60% of email addresses, a fifth of it withdrawn later."""
    statements = []
    for person in people.values():
        for key in person.keys:
            dice = roll(key) % 10
            if key.startswith("email:") and dice < 6:
                email = Identifier.from_key(key)
                when = AS_OF - timedelta(days=100 + dice)
                statements.append(ConsentStatement(email, PURPOSE, "granted", when, "web"))
                if dice < 2:
                    later = when + timedelta(days=5)
                    statements.append(ConsentStatement(email, PURPOSE, "withdrawn", later, "web"))
    return statements
