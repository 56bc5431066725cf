"""Examples of resolution: linking, union by size, aliases, guards, junk and golden attributes.

Each test runs the real engine against `GraphModel`, the in-memory model of the store port.
"""

from __future__ import annotations

import copy
import dataclasses

from datora_graph.config import IdentifierTypeSetting, Settings
from datora_graph.domain.changeset import Merge, Snapshot
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_holds import KeptHold
from datora_graph.domain.kept_links import KeptLink
from datora_graph.domain.survivorship import SurvivorshipRule, SurvivorshipRules
from datora_graph.resolution.engine import ResolutionEngine, profile_id_for

from .conftest import T0, Observe, observer
from .graph_model import GraphModel, resolve_batch, resolve_in_batches

ANN = "email:ann@acme.io"
ANN_WORK = "email:ann.lee@globex.io"
BOB = "email:bob@acme.io"
PHONE = "phone:+14155552671"
COOKIE = "cookie_id:k-1"
DEVICE = "device_id:d-1"
CRM_1 = "crm_id:C-1"
CRM_2 = "crm_id:C-2"
USER_1 = "user_id:U-1"


# -- linking --------------------------------------------------------------------------------
def test_identifiers_seen_together_become_one_profile(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    changeset = resolve_batch(engine, model, [observe(CRM_1, ANN, PHONE)])

    assert model.partition() == {frozenset({CRM_1, ANN, PHONE})}
    (write,) = changeset.profiles
    assert write.state.size == 3
    assert write.state.type_counts == {"crm_id": 1, "email": 1, "phone": 1}
    assert {n.profile_id for n in changeset.new_identifiers} == {write.state.id}
    assert changeset.merges == []
    assert model.inconsistencies() == []


def test_a_shared_identifier_links_observations_across_batches(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN, COOKIE)])
    resolve_batch(engine, model, [observe(COOKIE, DEVICE)])
    resolve_batch(engine, model, [observe(BOB)])

    assert model.partition() == {frozenset({ANN, COOKIE, DEVICE}), frozenset({BOB})}
    assert model.inconsistencies() == []


def test_a_new_profile_id_comes_from_the_observation_that_created_it(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN, PHONE, id="crm-42")])

    # Identifiers new together join the anchor's profile (email outranks phone). The ID is
    # pinned: a release deriving it differently would give a replayed log new profile IDs.
    assert model.profile_of(ANN) == profile_id_for("crm-42", ANN) == "prf_cecddea42970135790d2"
    assert model.profile_of(PHONE) == model.profile_of(ANN)
    assert profile_id_for("crm-43", ANN) != profile_id_for("crm-42", ANN)


def test_evidence_links_the_anchor_to_every_other_identifier(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(COOKIE, ANN, CRM_1, source="shop")])
    resolve_batch(engine, model, [observe(CRM_1, ANN, source="shop")])

    # crm_id has the highest priority, so it is the anchor of both observations.
    assert set(model.evidence) == {(*pair(CRM_1, ANN), "shop"), (*pair(CRM_1, COOKIE), "shop")}
    (crm_ann,) = model.evidence_between(CRM_1, ANN)
    assert crm_ann.a < crm_ann.b
    assert (crm_ann.count, crm_ann.status, crm_ann.kind) == (2, "active", "observed")
    assert crm_ann.first_seen < crm_ann.last_seen
    assert model.evidence_between(COOKIE, ANN) == []


def test_evidence_is_kept_per_source(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(
        engine,
        model,
        [observe(ANN, PHONE, source="crm"), observe(ANN, PHONE, source="web")],
    )

    assert sorted(e.source for e in model.evidence_between(ANN, PHONE)) == ["crm", "web"]


def test_the_engine_does_not_change_the_snapshot_it_is_given(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN, attributes={"first_name": "Ann"})])
    resolve_batch(engine, model, [observe(BOB)])
    model.add_cannot_link(BOB, PHONE)
    snapshot = model.snapshot({ANN, BOB, PHONE})
    before = copy.deepcopy(snapshot)

    changeset = engine.resolve(
        [observe(ANN, BOB, PHONE, attributes={"first_name": "Annie"})], snapshot
    )

    assert changeset.merges
    assert snapshot == before


# -- union by size, aliases -------------------------------------------------------------------
def test_the_larger_profile_survives_even_when_younger(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(BOB)])
    resolve_batch(engine, model, [observe(ANN, COOKIE, DEVICE)])
    small, large = model.profile_of(BOB), model.profile_of(ANN)

    link = observe(ANN, BOB)
    changeset = resolve_batch(engine, model, [link])

    assert changeset.merges == [Merge(small, large, link.id, link.observed_at)]
    assert model.profile_of(BOB) == large
    assert model.aliases == {small: large}
    assert small not in model.profiles
    assert [w.state.id for w in changeset.profiles] == [large]
    assert changeset.profiles[0].state.size == 4
    assert model.inconsistencies() == []


def test_the_older_profile_survives_between_equals_whatever_the_anchor(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    older = "email:zed@acme.io"
    resolve_batch(engine, model, [observe(older)])
    resolve_batch(engine, model, [observe(ANN)])
    survivor, absorbed = model.profile_of(older), model.profile_of(ANN)

    # ann@ sorts before zed@, so ANN is the anchor; age decides, not the anchor.
    resolve_batch(engine, model, [observe(ANN, older)])

    assert model.profile_of(ANN) == survivor
    assert model.aliases == {absorbed: survivor}


def test_an_existing_profile_beats_a_larger_one_the_same_observation_created(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(COOKIE)])
    existing = model.profile_of(COOKIE)

    # CRM_1, ANN and PHONE are new: they form a profile of three before meeting the cookie.
    changeset = resolve_batch(engine, model, [observe(CRM_1, ANN, PHONE, COOKIE)])

    assert model.partition() == {frozenset({CRM_1, ANN, PHONE, COOKIE})}
    assert model.profile_of(CRM_1) == existing
    assert {n.profile_id for n in changeset.new_identifiers} == {existing}
    assert changeset.merges == []
    assert model.aliases == {}


def test_merges_within_a_batch_chain_to_the_final_survivor(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    e1, e2, e3, e4, e5 = (f"email:p{n}@acme.io" for n in range(1, 6))
    resolve_batch(engine, model, [observe(e1), observe(e2), observe(e3, e4, e5)])
    p1, p2, p3 = (model.profile_of(k) for k in (e1, e2, e3))

    first, second = observe(e1, e2), observe(e1, e3)
    changeset = resolve_batch(engine, model, [first, second])

    assert changeset.merges == [
        Merge(p2, p1, first.id, first.observed_at),
        Merge(p1, p3, second.id, second.observed_at),
    ]
    assert model.aliases == {p1: p3, p2: p3}
    assert set(model.profiles) == {p3}
    assert model.inconsistencies() == []


def test_new_identifiers_are_placed_in_the_profile_that_survives_the_batch(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN, COOKIE)])
    target = model.profile_of(ANN)

    changeset = resolve_batch(engine, model, [observe(PHONE, DEVICE), observe(DEVICE, COOKIE)])

    assert {n.identifier.key: n.profile_id for n in changeset.new_identifiers} == {
        PHONE: target,
        DEVICE: target,
    }
    assert model.inconsistencies() == []


def test_the_same_log_resolves_to_the_same_profile_ids(
    engine: ResolutionEngine, observe: Observe
) -> None:
    log = [observe(ANN, COOKIE), observe(BOB), observe(COOKIE, DEVICE), observe(DEVICE, BOB)]
    once, again, cut = GraphModel(), GraphModel(), GraphModel()

    resolve_in_batches(engine, once, log)
    resolve_in_batches(engine, again, log)
    resolve_in_batches(engine, cut, log, cuts=[1, 3])

    assert once.identifiers == again.identifiers == cut.identifiers
    assert once.aliases == cut.aliases


# -- guards: per-type limits -----------------------------------------------------------------
def test_a_second_crm_id_is_held_with_one_review_item_and_its_evidence_kept(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(CRM_1, ANN, source="crm")])
    held_1, held_2 = observe(CRM_2, ANN, source="crm"), observe(CRM_2, ANN, source="crm")

    changeset = resolve_batch(engine, model, [held_1, held_2])

    assert model.partition() == {frozenset({CRM_1, ANN}), frozenset({CRM_2})}
    (evidence,) = model.evidence_between(CRM_2, ANN)
    assert (evidence.status, evidence.count) == ("held", 2)
    (item,) = changeset.review_items
    assert item.kind == "held_link"
    assert (item.a, item.b) == pair(CRM_2, ANN)
    profiles = {item.a: item.profile_a, item.b: item.profile_b}
    assert profiles == {CRM_2: model.profile_of(CRM_2), ANN: model.profile_of(ANN)}
    assert "crm_id" in item.reason
    assert "limit" in item.reason
    assert item.observation_id == held_1.id
    assert changeset.merges == []


def test_a_link_held_again_in_a_later_batch_keeps_one_review_item(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(CRM_1, ANN)])
    resolve_batch(engine, model, [observe(CRM_2, ANN)])
    resolve_batch(engine, model, [observe(CRM_2, ANN)])

    assert list(model.review_items) == [pair(CRM_2, ANN)]
    (evidence,) = model.evidence_between(CRM_2, ANN)
    assert (evidence.status, evidence.count) == ("held", 2)


def test_a_review_item_names_profiles_that_exist(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    """CRM_2 arrives new with a held link to ANN and a cookie already known: the profile made
    for CRM_2 joins the cookie's within the observation, so the item must name the cookie's."""
    resolve_batch(engine, model, [observe(CRM_1, ANN), observe(COOKIE)])

    resolve_batch(engine, model, [observe(CRM_2, ANN, COOKIE)])

    assert model.same_profile(CRM_2, COOKIE)
    (item,) = model.review_items.values()
    profiles = {item.a: item.profile_a, item.b: item.profile_b}
    assert profiles == {CRM_2: model.profile_of(CRM_2), ANN: model.profile_of(ANN)}


def test_a_link_an_erasure_keeps_held_is_held_for_its_live_reason(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    """The mark an erasure left (`Observation.holds`) holds a link the guards would let
    through, and gives one they refuse the reason its item had live; a quarantine the same
    guard makes now is made all the same."""
    free = KeptHold(*pair(USER_1, ANN), "limit", "limit: as live", "reject: as live")
    shared = KeptHold(*pair(CRM_2, COOKIE), "limit", "limit: C-2 as live", "reject: cookie")
    resolve_batch(engine, model, [observe(CRM_1, COOKIE)])

    resolve_batch(
        engine,
        model,
        [
            dataclasses.replace(observe(USER_1, ANN), holds=(free,)),
            dataclasses.replace(observe(CRM_2, COOKIE), holds=(shared,)),
        ],
    )

    assert model.partition() == {
        frozenset({CRM_1, COOKIE}),
        frozenset({CRM_2}),
        frozenset({USER_1}),
        frozenset({ANN}),
    }
    assert [e.status for e in model.evidence_between(USER_1, ANN)] == ["held"]
    for kept in (free, shared):
        item = model.review_items[(kept.a, kept.b)]
        assert (item.guard, item.reason, item.suggested_action) == (
            "limit",
            kept.reason,
            kept.suggested_action,
        )
    assert model.quarantined() == {COOKIE}


def test_a_link_an_erasure_keeps_as_made_live_is_made_whatever_the_guards_say(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    """Finding T: ANN was quarantined (two CRM numbers met at her), and her link to BOB was
    made inside one profile live, which only the erased person had joined: the mark
    (`Observation.links`) links them with no guard asked and no join counted, as live. A
    record without the mark is held by the quarantine as before."""
    resolve_batch(engine, model, [observe(CRM_1, ANN), observe(CRM_2, ANN), observe(BOB)])
    assert model.quarantined() == {ANN}
    plain = resolve_batch(engine, model, [observe(ANN, COOKIE)])
    assert [e.status for e in model.evidence_between(ANN, COOKIE)] == ["held"]
    joins = model.guards[ANN].joins

    marked = dataclasses.replace(observe(ANN, BOB), links=(KeptLink(*pair(ANN, BOB)),))
    changeset = resolve_batch(engine, model, [marked])

    assert plain.review_items
    assert not changeset.review_items
    assert model.same_profile(ANN, BOB)
    assert [e.status for e in model.evidence_between(ANN, BOB)] == ["active"]
    assert model.guards[ANN].joins == joins


def test_two_crm_ids_meeting_through_a_cookie_stay_apart(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(CRM_1, COOKIE), observe(CRM_2, COOKIE)])

    assert model.partition() == {frozenset({CRM_1, COOKIE}), frozenset({CRM_2})}
    assert [e.status for e in model.evidence_between(CRM_2, COOKIE)] == ["held"]
    assert list(model.review_items) == [pair(CRM_2, COOKIE)]


def test_the_limit_counts_the_whole_profile_not_the_pair(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(CRM_1, ANN), observe(CRM_2, PHONE)])

    # ANN and PHONE have no limit, but their profiles each hold a crm_id.
    resolve_batch(engine, model, [observe(ANN, PHONE)])

    assert model.partition() == {frozenset({CRM_1, ANN}), frozenset({CRM_2, PHONE})}
    assert [e.status for e in model.evidence_between(ANN, PHONE)] == ["held"]


def test_different_limited_types_may_share_a_profile(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(CRM_1, ANN), observe(USER_1, ANN)])

    assert model.partition() == {frozenset({CRM_1, USER_1, ANN})}
    assert model.review_items == {}


def test_a_configured_limit_is_enforced(model: GraphModel) -> None:
    settings = Settings(identifier_types={"email": IdentifierTypeSetting(limit=2)})
    registry = settings.identifier_registry()
    engine = ResolutionEngine(registry, SurvivorshipRules())
    observe = observer(registry)
    third = "email:third@acme.io"

    resolve_batch(engine, model, [observe(ANN, BOB), observe(third, COOKIE)])
    resolve_batch(engine, model, [observe(ANN, COOKIE)])

    assert model.partition() == {frozenset({ANN, BOB}), frozenset({third, COOKIE})}
    (item,) = model.review_items.values()
    assert "3 email identifiers (at most 2 allowed)" in item.reason


# -- guards: cannot-link ----------------------------------------------------------------------
def test_cannot_link_sides_in_the_snapshot_hold_the_link(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN), observe(ANN_WORK)])
    snapshot = model.snapshot({ANN, ANN_WORK})
    snapshot.profiles[model.profile_of(ANN)].constraint_sides.add((7, 0))
    snapshot.profiles[model.profile_of(ANN_WORK)].constraint_sides.add((7, 1))

    changeset = engine.resolve([observe(ANN, ANN_WORK)], snapshot)
    model.apply(changeset)

    assert not model.same_profile(ANN, ANN_WORK)
    assert changeset.merges == []
    (item,) = changeset.review_items
    assert "cannot-link" in item.reason
    assert "#7" in item.reason
    assert [e.status for e in model.evidence_between(ANN, ANN_WORK)] == ["held"]


def test_the_same_side_of_a_constraint_does_not_hold_a_link(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN), observe(ANN_WORK)])
    snapshot = model.snapshot({ANN, ANN_WORK})
    snapshot.profiles[model.profile_of(ANN)].constraint_sides.add((7, 0))
    snapshot.profiles[model.profile_of(ANN_WORK)].constraint_sides.update({(7, 0), (8, 1)})

    model.apply(engine.resolve([observe(ANN, ANN_WORK)], snapshot))

    assert model.same_profile(ANN, ANN_WORK)
    (write,) = model.profiles.values()
    assert write.state.constraint_sides == {(7, 0), (8, 1)}


def test_a_merged_profile_carries_its_constraint_sides(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN), observe(ANN_WORK), observe(PHONE)])
    model.add_cannot_link(ANN, ANN_WORK)

    # PHONE joins ANN's side, then PHONE meets ANN_WORK in the same batch.
    changeset = resolve_batch(engine, model, [observe(ANN, PHONE), observe(PHONE, ANN_WORK)])

    assert model.same_profile(ANN, PHONE)
    assert not model.same_profile(PHONE, ANN_WORK)
    assert len(changeset.review_items) == 1


def test_cannot_link_holds_for_identifiers_the_batch_creates(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    """A rebuild forgets every identifier but keeps the stewards' cannot-link constraints, so
    replaying the log meets each constrained identifier as a new one. The constraint must hold
    all the same: the rebuilt graph must be the live one."""
    log = [observe(ANN), observe(ANN_WORK), observe(ANN, ANN_WORK)]
    resolve_in_batches(engine, model, log[:2])
    model.add_cannot_link(ANN, ANN_WORK)
    resolve_in_batches(engine, model, log[2:])
    assert not model.same_profile(ANN, ANN_WORK)

    rebuilt = GraphModel(cannot_link=dict(model.cannot_link))
    resolve_in_batches(engine, rebuilt, log)

    assert not rebuilt.same_profile(ANN, ANN_WORK)
    assert rebuilt.identifiers == model.identifiers
    assert [e.status for e in rebuilt.evidence_between(ANN, ANN_WORK)] == ["held"]
    assert list(rebuilt.review_items) == list(model.review_items) == [], (
        "the constraint names the very pair: a steward has answered for it, nothing to review"
    )


def test_a_link_across_a_cannot_link_between_other_identifiers_is_reviewed(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    """A constraint holds every link between its two sides' profiles, but only a link
    between the very identifiers it names is one a steward has answered for: a link through
    another identifier is new evidence and waits for review."""
    resolve_in_batches(engine, model, [observe(ANN, PHONE), observe(ANN_WORK)])
    model.add_cannot_link(ANN, ANN_WORK)

    resolve_in_batches(engine, model, [observe(PHONE, ANN_WORK), observe(ANN, ANN_WORK)])

    assert not model.same_profile(ANN, ANN_WORK)
    assert list(model.review_items) == [pair(ANN_WORK, PHONE)]
    assert model.review_items[pair(ANN_WORK, PHONE)].guard == "cannot_link"
    assert [e.status for e in model.evidence_between(ANN, ANN_WORK)] == ["held"]


# -- junk ---------------------------------------------------------------------------------------
def test_a_junk_identifier_is_recorded_alone_and_links_nothing(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    junk = "email:test@test.com"
    changeset = resolve_batch(
        engine, model, [observe(CRM_1, "email:TEST@test.com"), observe(CRM_2, junk)]
    )

    assert model.partition() == {frozenset({CRM_1}), frozenset({CRM_2}), frozenset({junk})}
    assert model.junk[junk] is True
    assert model.junk[CRM_1] is False
    assert model.profiles[model.profile_of(junk)].state.junk is True
    assert model.profiles[model.profile_of(CRM_1)].state.junk is False
    assert [n.identifier.key for n in changeset.new_identifiers if n.junk] == [junk]
    assert model.evidence == {}
    assert model.review_items == {}


def test_junk_of_every_kind_links_nothing(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    junk = ["phone:000-000-0000", "device_id:00000000-0000-0000-0000-000000000000", "crm_id:null"]
    resolve_batch(engine, model, [observe(ANN, *junk), observe(BOB, *junk)])

    assert frozenset({ANN}) in model.partition()
    assert frozenset({BOB}) in model.partition()
    assert len(model.partition()) == 5
    assert all(size == 1 for size in (len(p) for p in model.partition()))


# -- golden attributes ------------------------------------------------------------------------
def test_golden_attributes_follow_the_most_recent_value(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(ANN, attributes={"first_name": "Ann", "city": "Oslo"})])
    changeset = resolve_batch(engine, model, [observe(ANN, attributes={"first_name": "Anne"})])

    assert changeset.profiles[0].attributes == {"first_name": "Anne", "city": "Oslo"}
    assert model.attributes(model.profile_of(ANN)) == {"first_name": "Anne", "city": "Oslo"}


def test_a_merge_combines_the_attributes_of_both_profiles(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(
        engine,
        model,
        [
            observe(ANN, attributes={"first_name": "Ann"}),
            observe(PHONE, attributes={"last_name": "Lee", "first_name": "Annie"}),
        ],
    )
    resolve_batch(engine, model, [observe(ANN, PHONE)])

    assert model.attributes(model.profile_of(ANN)) == {"first_name": "Annie", "last_name": "Lee"}
    (state,) = (p.state for p in model.profiles.values())
    assert sorted(c.value for c in state.candidates["first_name"]) == ['"Ann"', '"Annie"']


def test_attributes_of_a_held_observation_go_to_its_anchor(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(CRM_1, ANN, attributes={"first_name": "Ann"})])
    resolve_batch(engine, model, [observe(CRM_2, ANN, attributes={"first_name": "Bob"})])

    assert model.attributes(model.profile_of(ANN)) == {"first_name": "Ann"}
    assert model.attributes(model.profile_of(CRM_2)) == {"first_name": "Bob"}


def test_a_trusted_source_wins_under_source_priority(
    registry: IdentifierRegistry, model: GraphModel, observe: Observe
) -> None:
    rules = SurvivorshipRules(
        per_attribute={"first_name": SurvivorshipRule("source_priority", ("crm",))}
    )
    engine = ResolutionEngine(registry, rules)
    resolve_batch(
        engine,
        model,
        [
            observe(ANN, source="crm", attributes={"first_name": "Ann", "city": "Oslo"}),
            observe(ANN, source="web", attributes={"first_name": "Annie", "city": "Bergen"}),
        ],
    )

    # first_name from the trusted source; city by the default rule, the most recent.
    assert model.attributes(model.profile_of(ANN)) == {"first_name": "Ann", "city": "Bergen"}


def test_a_profile_write_carries_the_latest_time_it_was_touched(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    late = T0.replace(hour=18)
    changeset = resolve_batch(
        engine, model, [observe(ANN, at=late), observe(ANN, COOKIE, at=T0.replace(hour=10))]
    )

    (write,) = changeset.profiles
    assert write.updated_at == late
    assert write.state.created_at == late


def test_updated_at_does_not_depend_on_how_the_log_is_cut(
    engine: ResolutionEngine, observe: Observe
) -> None:
    """A late observation folded into a profile by an earlier-dated one: in one batch the
    survivor's write takes the absorbed profile's time, across two batches it does not."""
    log = [
        observe(CRM_1, at=T0),
        observe(PHONE, at=T0.replace(hour=12)),
        observe(CRM_1, PHONE, at=T0),
    ]
    whole, cut = GraphModel(), GraphModel()

    resolve_in_batches(engine, whole, log)
    resolve_in_batches(engine, cut, log, cuts=[2])

    assert cut.identifiers == whole.identifiers
    assert {p: s.updated_at for p, s in cut.profiles.items()} == {
        p: s.updated_at for p, s in whole.profiles.items()
    }


def test_an_empty_batch_changes_nothing(engine: ResolutionEngine) -> None:
    assert engine.resolve([], Snapshot.empty()).is_empty()


def pair(x: str, y: str) -> tuple[str, str]:
    """An evidence pair as the engine writes it: `a < b`."""
    a, b = sorted((x, y))
    return a, b
