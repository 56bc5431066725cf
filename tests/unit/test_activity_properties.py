"""Traits, journeys, consent, segments and reports follow the identifiers, whatever stewards,
erasures, redactions, rebuilds, changed trait settings and lower-cased cookie IDs (keys that
change, carried by a rebuild) did: a property over random
sequences of them, through the real services on a real store.

The issue asks that traits stay correct after merges and splits. A store keeps them as sums per
identifier, moved with the identifiers (domain/traits.py): a merge, a split, an undo, a
merge-back, an erasure that takes some of an event's identifiers, a rebuild and new trait
settings each move or recount them their own way. After every step this checks, against a
model of what was sent and a brute force over it (tests/conformance/brute_force.py):
- the events and consent statements the store keeps are those sent, less what erasures took
  (an event credited to an erased identifier goes; another loses the erased identifiers) and
  redactions removed;
- each profile's activity summary is that of the events credited to its identifiers (the first
  an event names), its identifier types and attribute names those it holds; its consent in
  force that of its identifiers;
- its journey is every event naming one of its identifiers, oldest first, also by pages and
  filtered by type and time;
- each segment's members (by pages, in one pass of sizes, probed per profile) and its email
  export are those the brute force selects;
- the reports' counts, profile sizes, completeness and events per day are those of the
  exported profiles and the events kept;
- after an erasure, no file of the store holds the values of the erased identifiers;
and at the end all of it again in a store `datora migrate` wrote.

It found that consent recorded for an identifier no profile holds yet made a negated consent
condition select nobody on the embedded store.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from tests.conformance.brute_force import Person, brute_force
from tests.conformance.segment_world import all_members

from datora_graph.config import Settings
from datora_graph.domain.consent import ConsentStatement, current_consent
from datora_graph.domain.errors import DatoraError, InvalidInput
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import JourneyQuery, ReviewFilter
from datora_graph.domain.records import Event
from datora_graph.domain.segments import SegmentQuery, parse_definition
from datora_graph.domain.steward import Decision
from datora_graph.domain.traits import (
    CreditedEvent,
    TraitFacts,
    TraitSettings,
    compute_traits,
    summarise,
    to_cents,
)
from datora_graph.erasure_service import ErasureService
from datora_graph.migrate import Migration
from datora_graph.redaction_service import RedactionService
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.sqlite import SqliteStore

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
TRAITS = TraitSettings()
PURPOSE = "email_marketing"
KEYS = [
    "email:e0@x.io",
    "email:e1@x.io",
    "phone:+14155552671",
    "crm_id:C1",
    "crm_id:C2",
    "user_id:U1",
    "device_id:d1",
    "cookie_id:K1",
    "cookie_id:K2",
    "email:test@test.com",
]
EVENT_KEYS = [*KEYS, "email:late@x.io"]
"""An event may name an identifier no record has shown yet: it joins when one does."""
DEFINITIONS: list[dict[str, Any]] = [
    {"event": {"type": "purchase", "at_least": 2}},
    {"event": {"type": "page_view", "within_days": 10}},
    {"event": {"type": "purchase", "where": {"revenue": {"gte": 5}}}},
    {"trait": "order_count", "gte": 1},
    {"trait": "total_revenue", "gt": 10},
    {"trait": "engagement_score", "gte": 21},
    {"trait": "first_seen", "lt": "2026-05-01T10:30:00Z"},
    {"trait": "recency_days", "lte": 20},
    {"trait": "last_seen", "gte": "2026-05-20T00:00:00Z"},
    {"trait": "customer_lifetime_value", "gte": 10},
    {"trait": "data_quality", "gte": 0.2},
    {"not": {"trait": "average_order_value", "gte": 5}},
    {"not": {"event": {"type": "page_view", "within_days": 10}}},
    {"not": {"event": {"type": "purchase", "where": {"revenue": {"gte": 5}}}}},
    {"attribute": "first_name", "eq": "Ann"},
    {"not": {"attribute": "first_name", "in": ["Ann"]}},
    {"any": [{"consent": PURPOSE}, {"event": {"type": "add_to_cart", "within_days": 15}}]},
    {"consent": {"purpose": PURPOSE, "identifier": "phone"}},
    {"consent": PURPOSE},
    {"all": [{"identifier": "email"}, {"not": {"consent": PURPOSE}}]},
]
CONDITIONS = [parse_definition(d) for d in DEFINITIONS]
RETRAITED: dict[str, Any] = {
    "event_scores": {"page_view": 2.0, "purchase": 5.0},
    "default_event_score": 0.5,
    "order_event_types": ["purchase", "add_to_cart"],
}
"""Trait settings an operator may change: the store recounts every profile's activity."""
LOWERED = {"cookie_id": {"normaliser": "lower"}}
"""Cookie IDs compared without case from `relower` on: the keys of stored events and consent
change (`cookie_id:K1` becomes `cookie_id:k1`), which the rebuild that applies it carries."""

pick = st.integers(0, 1000)
observe = st.tuples(
    st.just("observe"),
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True),
    st.integers(0, 59),
    st.sampled_from([None, "Ann", "Bob"]),
    st.sampled_from([None, "granted", "withdrawn"]),
)
happen = st.tuples(
    st.just("event"),
    st.lists(st.sampled_from(EVENT_KEYS), min_size=1, max_size=3, unique=True),
    st.sampled_from(["page_view", "purchase", "add_to_cart"]),
    st.integers(1, 31),
    st.sampled_from([None, 10, 2.5, "12"]),
)
consent = st.tuples(
    st.just("consent"), st.sampled_from(EVENT_KEYS), st.booleans(), st.integers(1, 31)
)
step = st.one_of(
    happen,
    consent,
    st.tuples(st.just("split"), pick, st.lists(pick, min_size=1, max_size=3)),
    st.tuples(st.just("merge"), pick, pick),
    st.tuples(st.just("review"), pick, st.booleans()),
    st.tuples(st.just("undo"), pick),
    st.tuples(st.just("erase"), pick),
    st.tuples(st.just("redact"), pick),
    st.tuples(st.just("rebuild")),
    st.tuples(st.just("retrait"), st.booleans()),
    st.tuples(st.just("relower")),
)
operations = st.builds(
    list.__add__,
    st.lists(st.one_of(observe, happen), min_size=3, max_size=6),
    st.lists(st.one_of(observe, happen, step, step), min_size=3, max_size=12),
)
Op = tuple[Any, ...]


@dataclass
class Model:
    """What was sent, less what erasures and redactions took: what the store must keep."""

    events: dict[str, tuple[str, datetime, tuple[str, ...], dict[str, Any]]] = field(
        default_factory=dict
    )
    consent: set[tuple[str, str, str, datetime, str]] = field(default_factory=set)
    decisions: list[Decision] = field(default_factory=list)
    sent: int = 0
    traits: TraitSettings = TRAITS
    overrides: dict[str, Any] = field(default_factory=dict)
    """The settings the service runs under, beyond the defaults (`retrait`, `relower`)."""

    def key(self, sent: str) -> str:
        """The key an identifier sent as `sent` gets under the current settings."""
        lowered = sent.startswith("cookie_id:") and "identifier_types" in self.overrides
        return sent.lower() if lowered else sent

    def rekey(self, old: str, new: str) -> None:
        """As a rebuild keys stored events and consent again (record_keys.py)."""
        for event_id, (type_, at, named, properties) in list(self.events.items()):
            renamed = tuple(dict.fromkeys(new if k == old else k for k in named))
            self.events[event_id] = (type_, at, renamed, properties)
        self.consent = {(new if c[0] == old else c[0], *c[1:]) for c in self.consent}  # type: ignore[misc]

    def erase(self, keys: set[str]) -> None:
        for event_id, (type_, at, named, properties) in list(self.events.items()):
            if named[0] in keys:
                del self.events[event_id]
            elif keys.intersection(named):
                kept = tuple(k for k in named if k not in keys)
                self.events[event_id] = (type_, at, kept, properties)
        self.consent = {c for c in self.consent if c[0] not in keys}


# 60: the suite's slowest test at 100 (35 s); a hunt copies it with more (session notes).
@settings(max_examples=60)
@given(operations)
def test_traits_journeys_consent_and_segments_follow_the_identifiers(ops: list[Op]) -> None:
    with service() as identity:
        model = Model()
        for op in ops:
            identity = run(identity, model, op)
            agrees(identity.store, model)
        target = SqliteStore(identity.settings.db.with_name("target.db"))
        try:
            settings = identity.settings.model_copy(update={"db": target.path})
            Migration(identity.store, target, settings).run()
            agrees(target, model)
        finally:
            target.close()


@contextmanager
def service() -> Iterator[IdentityService]:
    with tempfile.TemporaryDirectory() as folder:
        config = Settings(db=Path(folder) / "live.db")
        store = SqliteStore(config.db)
        try:
            yield IdentityService(store, config)
        finally:
            store.close()


def run(identity: IdentityService, model: Model, op: Op) -> IdentityService:
    """Apply `op`; answers the service from here on (another, once trait settings change)."""
    kind = op[0]
    stewards = StewardService(identity)
    profiles = sorted(
        sorted(i.identifier.key for i in p.identifiers)
        for batch in identity.store.iter_profiles()
        for p in batch
    )
    if kind == "observe":
        model.sent += 1
        item: dict[str, Any] = {
            "id": f"o{model.sent}",
            "source": "crm",
            "observed_at": f"2026-05-01T10:{op[2]:02d}:00Z",
            "identifiers": [wire(k) for k in op[1]],
        }
        if op[3]:
            item["attributes"] = {"first_name": op[3]}
        if op[4]:
            # Without an identifier, the statement is every identifier's of the record, stated
            # by its source when it was observed.
            item["consent"] = [{"purpose": PURPOSE, "status": op[4]}]
            at = datetime(2026, 5, 1, 10, op[2], tzinfo=UTC)
            model.consent.update((model.key(k), PURPOSE, op[4], at, "crm") for k in op[1])
        assert identity.ingest_observations([item]).accepted == 1
    elif kind == "event":
        model.sent += 1
        event_id, at = f"v{model.sent}", datetime(2026, 5, op[3], 12, tzinfo=UTC)
        properties = {} if op[4] is None else {"revenue": op[4]}
        sent = {
            "id": event_id,
            "type": op[2],
            "occurred_at": at.isoformat(),
            "source": "shop",
            "identifiers": [wire(k) for k in op[1]],
            "properties": properties,
        }
        assert identity.ingest_events([sent]).accepted == 1
        model.events[event_id] = (op[2], at, tuple(model.key(k) for k in op[1]), properties)
    elif kind == "consent":
        status, at = ("granted" if op[2] else "withdrawn"), datetime(2026, 5, op[3], tzinfo=UTC)
        key = model.key(op[1])  # as the consent API parses it
        identity.store.record_consent(
            [ConsentStatement(Identifier.from_key(key), PURPOSE, status, at, "web")]
        )
        model.consent.add((key, PURPOSE, status, at, "web"))
    elif kind == "split" and (multi := [p for p in profiles if len(p) > 1]):
        members = multi[op[1] % len(multi)]
        pid = identity.lookup(members[0]).id
        evidence = identity.store.profile_slice([pid]).evidence
        pairs = sorted({(e.a, e.b) for e in evidence if e.a in members and e.b in members})
        cuts = sorted({pairs[i % len(pairs)] for i in op[2]}) if pairs else []
        decide(model, lambda: stewards.split_profile(pid, cut_edges=cuts, reason="r", actor="s"))
    elif kind == "merge" and len(profiles) > 1:
        a, b = profiles[op[1] % len(profiles)][0], profiles[op[2] % len(profiles)][0]
        decide(model, lambda: stewards.merge_profiles(a, b, reason="r", actor="s"))
    elif kind == "review" and (items := identity.store.list_review_items(ReviewFilter()).items):
        item_id = items[op[1] % len(items)].id
        decide(model, lambda: stewards.resolve_review_item(item_id, op[2], reason="r", actor="s"))
    elif kind == "undo" and model.decisions:
        undone = model.decisions[op[1] % len(model.decisions)]
        decide(model, lambda: stewards.undo_decision(undone.id, reason="r", actor="s"))
    elif kind == "erase" and profiles:
        erase(identity, model, profiles[op[1] % len(profiles)][0])
    elif kind == "redact" and model.events:
        redact(identity, model, sorted(model.events)[op[1] % len(model.events)])
    elif kind == "rebuild":
        identity.rebuild()
        event("rebuilt")
    elif kind == "retrait":
        kept = {k: v for k, v in model.overrides.items() if k == "identifier_types"}
        model.overrides = {**kept, **(RETRAITED if op[1] else {})}
        identity = restart(identity, model)
        event("trait settings changed" if op[1] else "trait settings as by default")
    elif kind == "relower" and "identifier_types" not in model.overrides:
        # One way only: a lower-cased key cannot be given its case back.
        model.overrides["identifier_types"] = LOWERED
        identity = restart(identity, model)
        identity.rebuild()  # person-wide operations are refused until it has run
        for key in ("cookie_id:K1", "cookie_id:K2"):
            model.rekey(key, key.lower())
        event("cookie IDs lower-cased, rebuilt")
    return identity


def restart(identity: IdentityService, model: Model) -> IdentityService:
    """As a restart with `model.overrides`: the segment service configures the store's traits."""
    config = Settings(db=identity.settings.db, **model.overrides)
    identity = IdentityService(identity.store, config)
    SegmentService(identity.store, config)
    model.traits = config.trait_settings()
    return identity


def wire(key: str) -> dict[str, str]:
    type_, value = key.split(":", 1)
    return {"type": type_, "value": value}


def decide(model: Model, make: Callable[[], Decision]) -> None:
    try:
        decision = make()
    except DatoraError as refused:  # InvalidInput, Conflict, NotFound: nothing changed
        event(f"refused: {type(refused).__name__}")
        return
    model.decisions.append(decision)
    event(f"decided: {decision.kind}")


def erase(identity: IdentityService, model: Model, key: str) -> None:
    keys = {i.identifier.key for i in identity.lookup(key).identifiers}
    try:
        ErasureService(identity).erase_profile(key, reason="r", actor="dpo")
    except InvalidInput:  # a junk value's profile is nobody's
        return
    model.erase(keys)
    event("erased")
    # Nothing of them is left on disk either: not in free pages, not in the write-ahead log.
    # A junk value is configuration (the key rules in the store's meta list it), no one's.
    values = [
        key.partition(":")[2].encode()
        for key in keys
        if not identity.registry.is_junk(Identifier.from_key(key))
    ]
    db = identity.settings.db
    for path in db.parent.glob(f"{db.name}*"):
        data = path.read_bytes()
        assert not [v for v in values if len(v) >= 5 and v in data], f"{path.name} keeps them"


def redact(identity: IdentityService, model: Model, event_id: str) -> None:
    """Take the revenue out of an event: refused, naming the field, when it has none."""
    type_, at, named, properties = model.events[event_id]
    redactions = RedactionService(identity)
    if "revenue" not in properties:
        with pytest.raises(InvalidInput, match=r"^fields\[0\]: event .* has no property"):
            redactions.redact("event", event_id, ["revenue"], reason="r", actor="dpo")
        return
    redactions.redact("event", event_id, ["revenue"], reason="r", actor="dpo")
    model.events[event_id] = (type_, at, named, {})
    event("redacted")


def agrees(store: SqliteStore, model: Model) -> None:
    events = [e for batch in store.iter_events() for e in batch]
    assert {e.id: kept(e) for e in events} == model.events, "events kept"
    statements = [s for batch in store.iter_consent_statements() for s in batch]
    assert {
        (s.identifier.key, s.purpose, s.status, s.stated_at, s.source) for s in statements
    } == model.consent, "consent kept"

    people = {
        p.id: Person(p.id, dict(p.attributes), [i.identifier.key for i in p.identifiers])
        for batch in store.iter_profiles()
        for p in batch
    }
    owner = {key: pid for pid, person in people.items() for key in person.keys}
    for e in events:
        if (holder := owner.get(e.identifiers[0].key)) is not None:
            people[holder].events.append(e)
    facts = store.trait_facts(list(people))
    profiles = store.get_profiles(list(people))
    for pid, person in people.items():
        credited = [
            CreditedEvent(e.type, e.occurred_at, to_cents(e.properties.get("revenue")))
            for e in person.events
        ]
        profile = profiles[pid]
        expected = TraitFacts(
            pid,
            profile.created_at,
            profile.updated_at,
            frozenset(person.attributes),
            frozenset(k.partition(":")[0] for k in person.keys),
            summarise(credited, model.traits),
        )
        assert facts[pid] == expected, f"trait facts of {pid}"
        person.traits = compute_traits(expected, model.traits, AS_OF)

        naming = sorted(
            (e for e in events if any(i.key in person.keys for i in e.identifiers)),
            key=lambda e: (e.occurred_at, e.id),
        )
        assert all_of_journey(store, pid) == [e.id for e in naming], f"journey of {pid}"
        since, until = datetime(2026, 5, 10, tzinfo=UTC), datetime(2026, 5, 20, tzinfo=UTC)
        assert all_of_journey(
            store, pid, types=frozenset({"purchase"}), since=since, until=until
        ) == [e.id for e in naming if e.type == "purchase" and since <= e.occurred_at < until], (
            f"purchases of {pid} in a window"
        )

    consented = current_consent(statements)
    in_force = store.consent_of_profiles(list(people))
    for pid, person in people.items():
        wanted_consent = sorted(
            (key, purpose, state.status, state.stated_at, state.source)
            for (key, purpose), state in consented.items()
            if key in person.keys
        )
        found_consent = sorted(
            (c.identifier.key, c.purpose, c.status, c.stated_at, c.source)
            for c in in_force.get(pid, [])
        )
        assert found_consent == wanted_consent, f"consent of {pid}"

    # Segments count people: profiles not only of junk identifiers.
    junk = {p.id for p in profiles.values() if p.junk}
    persons = {pid: person for pid, person in people.items() if pid not in junk}
    queries = [SegmentQuery(c, AS_OF, model.traits) for c in CONDITIONS]
    wanted = [brute_force(q.definition, persons, statements, AS_OF) for q in queries]
    for definition, query, selected in zip(DEFINITIONS, queries, wanted, strict=True):
        found = all_members(store, query, 2)
        assert found == sorted(selected), f"segment {definition}"
    sizes = store.segment_sizes(queries)
    assert [(s.size, s.people) for s in sizes] == [(len(w), len(persons)) for w in wanted]
    memberships = store.segment_memberships(list(people), dict(enumerate(queries)))
    assert {pid: sorted(keys) for pid, keys in memberships.items() if keys} == {
        pid: sorted(n for n, selected in enumerate(wanted) if pid in selected)
        for pid in people
        if any(pid in selected for selected in wanted)
    }, "segments of each profile (probed)"

    counts = store.graph_counts()
    assert (counts.profiles, counts.people) == (len(people), len(persons)), "profiles, people"
    assert counts.identifiers_by_type == Counter(
        key.partition(":")[0] for person in people.values() for key in person.keys
    )
    assert counts.profile_sizes == Counter(len(person.keys) for person in people.values())
    named = sum(1 for person in persons.values() if "first_name" in person.attributes)
    assert store.attribute_completeness(["first_name"]) == {
        "first_name": named / len(persons) if persons else 0.0
    }
    daily: dict[tuple[date, str], list[int]] = {}
    for e in events:
        day = daily.setdefault((e.occurred_at.date(), e.type), [0, 0])
        day[0] += 1
        day[1] += to_cents(e.properties.get("revenue")) or 0
    assert sorted(
        (d.day, d.event_type, d.events, d.revenue)
        for d in store.events_per_day(datetime(2026, 5, 1, tzinfo=UTC), AS_OF)
    ) == sorted((day, type_, n, cents / 100) for (day, type_), (n, cents) in daily.items())

    junk_keys = {i.identifier.key for p in profiles.values() for i in p.identifiers if i.junk}
    granted = {key for (key, _), state in consented.items() if state.granted}
    for purpose in (PURPOSE, None):
        contacts = store.iter_segment_contacts(queries[-1], "email", purpose, batch_size=2)
        assert [(c.profile_id, c.identifier.key) for batch in contacts for c in batch] == sorted(
            (pid, key)
            for pid in wanted[-1]
            for key in people[pid].keys
            if key.startswith("email:")
            and key not in junk_keys
            and (purpose is None or key in granted)
        ), f"export for {purpose}"


def all_of_journey(store: SqliteStore, profile_id: str, **filters: Any) -> list[str]:
    """The IDs of every event of a journey, through pages of two."""
    found: list[str] = []
    after = None
    while True:
        page = store.journey(profile_id, JourneyQuery(first=2, after=after, **filters))
        found.extend(e.id for e in page.events)
        if not page.has_next_page:
            return found
        after = page.end_cursor


def kept(e: Event) -> tuple[str, datetime, tuple[str, ...], dict[str, Any]]:
    return (e.type, e.occurred_at, tuple(i.key for i in e.identifiers), dict(e.properties))
