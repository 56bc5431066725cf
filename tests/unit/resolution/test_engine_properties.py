"""Properties of resolution over random observation logs.

The logs draw from a small universe of identifiers (limited types, free types and junk), so
random observations share identifiers often and the guards fire often. Each log is resolved
by the real engine against `GraphModel`, in one batch or cut into random batches.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from datora_graph.domain.changeset import IdentifierGuardState
from datora_graph.domain.identifiers import GuardSettings, IdentifierRegistry, ParsedIdentifier
from datora_graph.domain.records import Observation
from datora_graph.domain.survivorship import SurvivorshipRules
from datora_graph.resolution.engine import ResolutionEngine

from .graph_model import GraphModel, resolve_batch, resolve_in_batches

REGISTRY = IdentifierRegistry.default()
ENGINE = ResolutionEngine(REGISTRY, SurvivorshipRules())
NO_HUBS = ResolutionEngine(
    REGISTRY, SurvivorshipRules(), GuardSettings(hub_max_profiles=10**6, name_conflicts=False)
)
"""For the properties about logs where no guard may fire: hub and name-conflict quarantine
would be ones."""
SMALL = GuardSettings(hub_max_profiles=2, max_profile_identifiers=4)
TIGHT = ResolutionEngine(REGISTRY, SurvivorshipRules(), SMALL)
T0 = datetime(2026, 5, 1, tzinfo=UTC)

LIMITED = [("crm_id", "C-1"), ("crm_id", "C-2"), ("crm_id", "C-3"), ("user_id", "U-1")]
FREE = [
    ("email", "Ann@Acme.io"),
    ("email", "bob@acme.io"),
    ("email", "cy@globex.io"),
    ("phone", "(415) 555-2671"),
    ("phone", "+44 20 7946 0958"),
    ("device_id", "6F9619FF-8B86-D011-B42D-00C04FC964FF"),
    ("device_id", "d-2"),
    ("cookie_id", "k-1"),
    ("cookie_id", "k-2"),
    ("cookie_id", "k-3"),
]
JUNK = [
    ("email", "test@test.com"),
    ("phone", "000-000-0000"),
    ("device_id", "00000000-0000-0000-0000-000000000000"),
    ("cookie_id", "null"),
]
PARSED: dict[tuple[str, str], ParsedIdentifier] = {
    raw: REGISTRY.parse_with_junk(*raw) for raw in LIMITED + FREE + JUNK
}
assert [raw for raw in JUNK if not PARSED[raw].junk] == []
assert [raw for raw in LIMITED + FREE if PARSED[raw].junk] == []

Spec = tuple[list[tuple[str, str]], str, int, dict[str, str]]
"""One observation: its raw identifiers, source, minutes after T0 and attributes."""


def specs(universe: Sequence[tuple[str, str]], max_size: int = 30) -> st.SearchStrategy[list[Spec]]:
    one = st.tuples(
        st.lists(st.sampled_from(universe), min_size=1, max_size=4, unique=True),
        st.sampled_from(["web", "crm", "app"]),
        st.integers(0, 10_000),
        st.dictionaries(
            st.sampled_from(["first_name", "city"]), st.sampled_from(["Ann", "Bo", "Oslo"])
        ),
    )
    return st.lists(one, min_size=1, max_size=max_size)


def build_log(log_specs: Sequence[Spec], first: int = 1) -> list[Observation]:
    """Observations as parse_observation makes them, `seq` being the position in the log."""
    return [
        Observation(
            id=f"obs-{n}",
            source=source,
            observed_at=T0 + timedelta(minutes=minutes),
            identifiers=tuple(PARSED[raw].identifier for raw in raws),
            junk=frozenset(PARSED[raw].identifier for raw in raws if PARSED[raw].junk),
            attributes=attributes,
            raw="",
            seq=n,
        )
        for n, (raws, source, minutes, attributes) in enumerate(log_specs, start=first)
    ]


def cuts_for(log: Sequence[Observation]) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, max(1, len(log) - 1)), max_size=6)


def anchored_pairs(observation: Observation) -> list[tuple[str, str]]:
    """The pairs the engine must record evidence for: the anchor with every other identifier."""
    linkable = sorted(
        (i for i in observation.identifiers if i not in observation.junk),
        key=lambda i: (-REGISTRY.priority(i.type), i.key),
    )
    return [(min(linkable[0].key, i.key), max(linkable[0].key, i.key)) for i in linkable[1:]]


def all_keys(log: Sequence[Observation]) -> set[str]:
    return {i.key for o in log for i in o.identifiers}


GUARDED = specs(LIMITED + FREE + JUNK)
UNGUARDED = specs(FREE)
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_no_identifier_is_lost(log_specs: list[Spec], data: st.DataObject) -> None:
    log = build_log(log_specs)
    model = GraphModel()

    resolve_in_batches(ENGINE, model, log, data.draw(cuts_for(log), label="cuts"))

    partition = model.partition()
    assert set(model.identifiers) == all_keys(log)
    assert sum(len(group) for group in partition) == len(all_keys(log))
    assert model.inconsistencies() == []
    for key, junk in model.junk.items():
        if junk:
            assert frozenset({key}) in partition
            assert model.profiles[model.profile_of(key)].state.junk


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_replay_in_any_batches_gives_the_same_graph(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    log = build_log(log_specs)
    whole, cut = GraphModel(), GraphModel()

    resolve_in_batches(ENGINE, whole, log)
    resolve_in_batches(ENGINE, cut, log, data.draw(cuts_for(log), label="cuts"))

    assert cut.partition() == whole.partition()
    assert cut.identifiers == whole.identifiers
    assert cut.aliases == whole.aliases
    assert {p: s.state for p, s in cut.profiles.items()} == {
        p: s.state for p, s in whole.profiles.items()
    }
    assert {p: (s.attributes, s.updated_at) for p, s in cut.profiles.items()} == {
        p: (s.attributes, s.updated_at) for p, s in whole.profiles.items()
    }
    assert cut.evidence == whole.evidence
    assert cut.review_items == whole.review_items
    assert cut.answered == whole.answered


@PROPERTY
@given(log_specs=UNGUARDED, data=st.data())
def test_without_guards_the_profiles_are_the_connected_components(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    log = build_log(log_specs)
    shuffled = build_log(data.draw(st.permutations(log_specs), label="permutation"))
    graph = nx.Graph()
    for observation in log:
        keys = [i.key for i in observation.identifiers]
        graph.add_nodes_from(keys)
        graph.add_edges_from(itertools.pairwise(keys))
    components = {frozenset(c) for c in nx.connected_components(graph)}
    in_order, reordered = GraphModel(), GraphModel()

    resolve_in_batches(NO_HUBS, in_order, log, data.draw(cuts_for(log), label="cuts"))
    resolve_in_batches(NO_HUBS, reordered, shuffled, data.draw(cuts_for(log), label="cuts 2"))

    assert in_order.partition() == components
    assert reordered.partition() == components
    assert in_order.review_items == {}


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_no_profile_ever_exceeds_a_type_limit(log_specs: list[Spec], data: st.DataObject) -> None:
    log = build_log(log_specs)
    model = GraphModel()
    start = 0
    for end in [*sorted(set(data.draw(cuts_for(log), label="cuts"))), len(log)]:
        resolve_batch(ENGINE, model, log[start:end])
        start = end

        for profile_id in model.profiles:
            counts = Counter(key.partition(":")[0] for key in model.members(profile_id))
            for type_name, limit in REGISTRY.limits().items():
                assert counts[type_name] <= limit, (profile_id, type_name)


@PROPERTY
@given(log_specs=UNGUARDED, data=st.data())
def test_no_profile_ever_spans_a_cannot_link_constraint(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    """A steward adds constraints before the log and between its batches, each between two
    identifiers that are not in one profile then (or not seen yet): none is ever broken."""
    log = build_log(log_specs)
    universe = st.sampled_from(sorted(PARSED[raw].identifier.key for raw in FREE))
    model = GraphModel()
    start = 0
    for end in [*sorted(set(data.draw(cuts_for(log), label="cuts"))), len(log)]:
        for a, b in data.draw(st.lists(st.tuples(universe, universe), max_size=3), label="cannot"):
            known = a in model.identifiers and b in model.identifiers
            if a != b and not (known and model.same_profile(a, b)):
                model.add_cannot_link(a, b)
        resolve_batch(NO_HUBS, model, log[start:end])
        start = end

        for a, b in model.cannot_link.values():
            assert not (
                a in model.identifiers and b in model.identifiers and model.same_profile(a, b)
            ), (a, b)
    held = {(e.a, e.b) for e in model.evidence.values() if e.status == "held"}
    # A pair a constraint names was answered for by a steward: held, with an item only when
    # it was held (and asked about) before the constraint came.
    named = {tuple(sorted(pair)) for pair in model.cannot_link.values()}
    assert held - named <= set(model.review_items) <= held


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_held_links_have_a_review_item_and_no_evidence_is_dropped(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    log = build_log(log_specs)
    model = GraphModel()

    resolve_in_batches(NO_HUBS, model, log, data.draw(cuts_for(log), label="cuts"))
    quarantined, guarded = model.quarantined(), GraphModel()
    resolve_in_batches(ENGINE, guarded, log, data.draw(cuts_for(log), label="cuts 2"))

    expected = Counter((*pair, o.source) for o in log for pair in anchored_pairs(o))
    if not quarantined:
        assert {key: e.count for key, e in model.evidence.items()} == dict(expected)
    for checked in (model, guarded):
        recorded = sum(e.count for e in checked.evidence.values())
        assert recorded == sum(expected.values())
        # A quarantined identifier may still meet the other end of a link it was refused
        # through other evidence (it blocks links through itself, not its neighbours'): that
        # pair's review item is answered and its evidence active, and stays active when the
        # pair is seen together again.
        hubs = checked.quarantined()
        held = {(e.a, e.b) for e in checked.evidence.values() if e.status == "held"}
        assert held <= set(checked.review_items) - set(checked.answered)
        for a, b in set(checked.review_items) - held - set(checked.answered):
            assert {a, b} & hubs, (a, b)
        for a, b in held:
            assert not checked.same_profile(a, b), (a, b)
    for item in model.review_items.values():
        named = {model.aliases.get(item.profile_a, item.profile_a)}
        named.add(model.aliases.get(item.profile_b, item.profile_b))
        assert named == {model.profile_of(item.a), model.profile_of(item.b)}, item
    junk = {key for key, is_junk in model.junk.items() if is_junk}
    assert not junk & {key for e in model.evidence.values() for key in (e.a, e.b)}


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_no_profile_ever_exceeds_a_limit_or_the_maximum_size(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    log = build_log(log_specs)
    model = GraphModel()
    start = 0
    for end in [*sorted(set(data.draw(cuts_for(log), label="cuts"))), len(log)]:
        resolve_batch(TIGHT, model, log[start:end])
        start = end

        for profile_id in model.profiles:
            members = model.members(profile_id)
            assert len(members) <= SMALL.max_profile_identifiers, (profile_id, members)
            counts = Counter(key.partition(":")[0] for key in members)
            for type_name, limit in REGISTRY.limits().items():
                assert counts[type_name] <= limit, (profile_id, type_name)
    assert model.inconsistencies() == []


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_tight_guards_replay_in_any_batches_to_the_same_graph(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    log = build_log(log_specs)
    whole, cut = GraphModel(), GraphModel()

    resolve_in_batches(TIGHT, whole, log)
    resolve_in_batches(TIGHT, cut, log, data.draw(cuts_for(log), label="cuts"))

    assert cut.identifiers == whole.identifiers
    assert cut.guards == whole.guards
    assert cut.review_items == whole.review_items


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_a_quarantined_identifier_never_joins_two_profiles(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    """Resolving a log with `hub` quarantined gives every other identifier the profile it gets
    when `hub` is left out of the log altogether: no merge ever went through `hub`."""
    log = build_log(log_specs)
    hub = data.draw(st.sampled_from(sorted(all_keys(log))), label="hub")
    without = [
        dataclasses.replace(
            o,
            identifiers=tuple(i for i in o.identifiers if i.key != hub),
            junk=frozenset(i for i in o.junk if i.key != hub),
        )
        for o in log
        if any(i.key != hub for i in o.identifiers)
    ]
    cuts = data.draw(cuts_for(log), label="cuts")
    quarantined, left_out = GraphModel(), GraphModel()
    quarantined.guards[hub] = IdentifierGuardState(hub, quarantined=True, reason="a test hub")

    resolve_in_batches(ENGINE, quarantined, log, cuts)
    resolve_in_batches(ENGINE, left_out, without, cuts)

    others = {k: p for k, p in quarantined.identifiers.items() if k != hub}
    assert others == left_out.identifiers
    assert quarantined.members(quarantined.profile_of(hub)) == {hub}


@PROPERTY
@given(log_specs=GUARDED, data=st.data())
def test_an_item_is_open_exactly_while_its_ends_are_in_two_profiles(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    """Whatever the batches, a review item whose two ends a later record joined by another
    path is answered, by the record whose merge joined them, and its held evidence is active;
    every other item stays open, its ends apart."""
    log = build_log(log_specs)
    model = GraphModel()

    resolve_in_batches(TIGHT, model, log, data.draw(cuts_for(log), label="cuts"))

    by_id = {o.id: o for o in log}
    for pair, item in model.review_items.items():
        joined = model.same_profile(*pair)
        assert (pair in model.answered) == joined, pair
        if joined:
            answer = by_id[model.answered[pair]]
            assert answer.seq >= by_id[item.observation_id].seq
            assert all(e.status != "held" for e in model.evidence_between(*pair))
