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

from datora_graph.config import Settings
from datora_graph.demo.generator import generate
from datora_graph.domain.consent import ConsentStatement, current_consent
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import parse_event
from datora_graph.domain.segments import (
    SegmentQuery,
    parse_definition,
)
from datora_graph.domain.traits import (
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
    return generate(250, seed=11)


@pytest.fixture
def graph(store: GraphStore, data: Any) -> tuple[GraphStore, dict[str, Person], list[Any]]:
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
    assert _all_members(store, query) == sorted(expected)


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
            roll = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10
            if key.startswith("email:") and roll < 6:
                email = Identifier.from_key(key)
                when = AS_OF - timedelta(days=100 + roll)
                statements.append(ConsentStatement(email, PURPOSE, "granted", when, "web"))
                if roll < 2:
                    later = when + timedelta(days=5)
                    statements.append(ConsentStatement(email, PURPOSE, "withdrawn", later, "web"))
    return statements


def _all_members(store: GraphStore, query: SegmentQuery) -> list[str]:
    found: list[str] = []
    after = None
    while True:
        page = store.segment_members(query, 40, after)
        found.extend(page.profile_ids)
        if not page.has_next_page:
            return found
        after = page.end_cursor
