"""Steward use cases over the real embedded store and the real engine: split, merge, review,
undo and rebuild, with journeys, traits and segments following the identifiers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.profiles import JourneyQuery, ReviewFilter
from datora_graph.erasure_service import ErasureService
from datora_graph.log_index import LogIndex
from datora_graph.resolution.engine import profile_id_for
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.sqlite import SqliteStore

ANN, COOKIE, KIOSK = "email:ann@acme.io", "cookie_id:c-1", "device_id:kiosk-7"
BOB, PHONE = "email:bob@acme.io", "phone:+14155550101"


def obs(item_id: str, *keys: str, minute: int = 0, **attributes: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "shop",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
        "attributes": attributes,
    }


def purchase(item_id: str, key: str) -> dict[str, Any]:
    type_name, _, value = key.partition(":")
    return {
        "id": item_id,
        "type": "purchase",
        "occurred_at": "2026-05-01T11:00:00Z",
        "source": "shop",
        "identifiers": [{"type": type_name, "value": value}],
        "properties": {"revenue": 10},
    }


@pytest.fixture
def identity(tmp_path: Path) -> Iterator[IdentityService]:
    settings = Settings(db=tmp_path / "steward.db")
    store = SqliteStore(settings.db)
    yield IdentityService(store, settings)
    store.close()


@pytest.fixture
def stewards(identity: IdentityService) -> StewardService:
    return StewardService(identity)


def kiosk_world(identity: IdentityService) -> str:
    """Ann and Bob fused through a shared kiosk device; answers the fused profile's ID."""
    report = identity.ingest_observations(
        [
            obs("o1", ANN, COOKIE, minute=1, first_name="Ann"),
            obs("o2", COOKIE, KIOSK, minute=2),
            obs("o3", KIOSK, BOB, minute=3),
            obs("o4", BOB, PHONE, minute=4),
            # Bob's name on his own: with his first record the kiosk would be a name conflict.
            obs("o4-name", BOB, minute=5, first_name="Bob"),
        ]
    )
    assert report.accepted == 5
    identity.ingest_events([purchase("e1", COOKIE), purchase("e2", PHONE), purchase("e3", PHONE)])
    fused = identity.lookup(ANN)
    assert identity.lookup(BOB).id == fused.id, "the world starts with a bad merge"
    return fused.id


def state(identity: IdentityService) -> dict[str, Any]:
    """What an undo must restore: profiles, identifier→profile, alias resolution, review
    items, constraints."""
    store = identity.store
    keys = [ANN, COOKIE, KIOSK, BOB, PHONE]
    members = store.profile_ids_for_identifiers(keys)
    profiles = store.get_profiles(set(members.values()))
    aliases = [a for p in profiles.values() for a in p.aliases]
    return {
        "profiles": {
            pid: (p.size, dict(p.attributes), p.created_at, p.updated_at, list(p.aliases))
            for pid, p in profiles.items()
        },
        "members": members,
        "aliases": store.resolve_profile_ids(aliases),
        "review": [
            (i.id, i.a, i.b, i.status)
            for i in store.list_review_items(ReviewFilter(status=None)).items
        ],
        "constraints": {k: sorted(v) for k, v in store.load_snapshot(keys).key_constraints.items()},
        "profile_count": store.stats().profiles,
    }


def split_off_bob(stewards: StewardService, fused: str) -> Any:
    return stewards.split_profile(
        fused, groups=[[ANN, COOKIE], [KIOSK, BOB]], reason="shared kiosk", actor="steward-1"
    )


def test_why_and_explain_show_the_kiosk_path(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)

    [path] = stewards.explain("email:Ann@Acme.io", PHONE).paths
    tree = stewards.why_merged(fused)
    proposals = stewards.split_proposals(fused, ANN, BOB)

    assert path.keys == (ANN, COOKIE, KIOSK, BOB, PHONE)
    assert len(tree.links) == 4
    assert any(p.groups[0] == (COOKIE, ANN) or (ANN in p.groups[0]) for p in proposals)
    assert {(link.a, link.b) for p in proposals for link in p.links} >= {(COOKIE, KIOSK)}


def test_a_split_moves_identifiers_attributes_journeys_traits_and_segments(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    segments = SegmentService(identity.store, identity.settings)
    buyers = segments.define_segment(
        "buyers", {"event": {"type": "purchase", "at_least": 2, "within_days": 3650}}
    )
    described = segments.define_segment("described", {"trait": "data_quality", "gte": 0.25})

    decision = split_off_bob(stewards, fused)

    ann, bob = identity.lookup(ANN), identity.lookup(BOB)
    assert ann.id == fused, "the part holding the profile's first identifier keeps its ID"
    assert bob.id != fused
    assert set(decision.profiles_after) == {ann.id, bob.id}
    assert sorted(i.identifier.key for i in bob.identifiers) == sorted([KIOSK, BOB, PHONE])
    assert ann.attributes == {"first_name": "Ann"}
    assert bob.attributes == {"first_name": "Bob"}
    journeys = identity.store.journeys([ann.id, bob.id], JourneyQuery())
    assert [e.id for e in journeys[ann.id].events] == ["e1"]
    assert sorted(e.id for e in journeys[bob.id].events) == ["e2", "e3"]
    traits = segments.traits_of([ann.id, bob.id])
    assert traits[ann.id].order_count == 1
    assert traits[bob.id].order_count == 2
    assert (traits[ann.id].data_quality, traits[bob.id].data_quality) == (3 / 15, 4 / 15)
    members = segments.segments_of_profiles([ann.id, bob.id])
    assert sorted(s.id for s in members[bob.id]) == sorted([buyers.id, described.id])
    assert members[ann.id] == []


def test_the_same_evidence_again_does_not_merge_the_parts(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    split_off_bob(stewards, fused)

    identity.ingest_observations([obs("o2-again", COOKIE, KIOSK, minute=30)])

    assert identity.lookup(ANN).id != identity.lookup(BOB).id
    assert identity.store.stats().open_review_items == 0, "the steward cut this very link"
    cut = [e for e in identity.store.profile_slice([fused]).evidence if e.b == KIOSK]
    assert [e.status for e in cut] == ["cut"], "a cut link stays cut"
    assert [e.count for e in cut] == [2], "and counts the record that brought it again"

    identity.ingest_observations([obs("o-new", ANN, KIOSK, minute=31)])

    [item] = identity.store.list_review_items(ReviewFilter()).items
    assert (item.a, item.b, item.guard) == (KIOSK, ANN, "cannot_link"), (
        "new evidence between the parts still waits for review"
    )


def test_a_rejected_pair_seen_again_is_held_without_asking_again(
    identity: IdentityService, stewards: StewardService
) -> None:
    crm_1, crm_2 = "crm_id:C-1", "crm_id:C-2"
    identity.ingest_observations([obs("o1", ANN, PHONE, crm_1, minute=1)])
    identity.ingest_observations([obs("o2", ANN, crm_2, minute=2)])
    [item] = identity.store.list_review_items(ReviewFilter()).items
    stewards.resolve_review_item(item.id, False, reason="two customers", actor="steward-1")

    identity.ingest_observations([obs("o3", ANN, crm_2, minute=3)])

    assert identity.lookup(ANN).id != identity.lookup(crm_2).id
    items = identity.store.list_review_items(ReviewFilter(status=None)).items
    assert [(i.id, i.status) for i in items] == [(item.id, "rejected")], "no second item"
    held = identity.store.profile_slice([identity.lookup(crm_2).id]).evidence
    assert [(e.a, e.b, e.status, e.count) for e in held] == [(crm_2, ANN, "held", 2)]

    identity.ingest_observations([obs("o4", PHONE, crm_2, minute=4)])

    [new_item] = identity.store.list_review_items(ReviewFilter()).items
    assert (new_item.a, new_item.b) == (crm_2, PHONE), "another pair is new evidence"

    identity.rebuild()

    rebuilt = identity.store.list_review_items(ReviewFilter(status=None)).items
    assert [(i.a, i.b, i.status) for i in rebuilt] == [
        (crm_2, ANN, "rejected"),
        (crm_2, PHONE, "open"),
    ]


def test_undo_restores_exactly(identity: IdentityService, stewards: StewardService) -> None:
    fused = kiosk_world(identity)
    before = state(identity)

    decision = split_off_bob(stewards, fused)
    assert state(identity) != before
    undo = stewards.undo_decision(decision.id, reason="wrong profile", actor="steward-2")

    assert state(identity) == before
    assert undo.kind == "undo"
    assert stewards.get_decision(decision.id).undone_by == undo.id
    actions = [e.action for e in identity.store.list_audit(AuditFilter()).items]
    assert actions[:2] == ["undo", "split"]


def test_undo_is_refused_once_the_profiles_changed(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    split = split_off_bob(stewards, fused)
    identity.ingest_observations([obs("o9", "email:zed@acme.io")])
    zed = identity.lookup("email:zed@acme.io").id
    later = stewards.merge_profiles(
        identity.lookup(BOB).id, zed, reason="same person", actor="steward-1"
    )

    with pytest.raises(InvalidInput) as refused:
        stewards.undo_decision(split.id, reason="oops", actor="steward-1")

    assert refused.value.field == "decisionId"
    assert later.id in refused.value.reason
    stewards.undo_decision(later.id, reason="oops", actor="steward-1")
    stewards.undo_decision(split.id, reason="oops", actor="steward-1")
    assert identity.lookup(ANN).id == identity.lookup(BOB).id


def test_a_split_that_new_records_reached_is_undone_by_merging_its_parts_back(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    split = split_off_bob(stewards, fused)
    new_phone = "phone:+14155550199"
    identity.ingest_observations([obs("o9", BOB, new_phone, minute=9, first_name="Bob")])
    identity.ingest_observations([obs("o10", COOKIE, KIOSK, minute=10)])
    identity.ingest_observations([obs("o11", ANN, BOB, minute=11)])
    assert identity.lookup(new_phone).id == identity.lookup(BOB).id != identity.lookup(ANN).id
    [held] = identity.store.list_review_items(ReviewFilter(touching=(ANN,))).items
    assert (held.a, held.b, held.guard) == (ANN, BOB, "cannot_link")

    undo = stewards.undo_decision(split.id, reason="one household account", actor="steward-2")

    together = identity.lookup(ANN).id
    assert together == fused, "the split profile's ID, as before the split"
    assert {identity.lookup(k).id for k in (COOKIE, KIOSK, BOB, PHONE, new_phone)} == {together}
    assert undo.kind == "undo"
    assert undo.details == {
        "undoes": split.id,
        "undone_kind": "split",
        "merged_back": True,
        "log_position": identity.store.last_sequence(),
    }, "a rebuild applies the merge-back where it was made"
    assert undo.profiles_after == (together,)
    assert set(undo.profiles_before) == set(split.profiles_after)
    assert stewards.get_decision(split.id).undone_by == undo.id
    assert state(identity)["constraints"] == {}, "the split's cannot-link is gone"
    gone = next(p for p in split.profiles_after if p != together)
    assert identity.store.resolve_profile_ids([gone]) == {gone: together}
    statuses = {(e.a, e.b): e.status for e in identity.store.profile_slice([together]).evidence}
    assert statuses[(COOKIE, KIOSK)] == "active", "the evidence the split cut counts again"
    assert statuses[(ANN, BOB)] == "active", "and so does the link its cannot-link held"
    [closed] = identity.store.list_review_items(ReviewFilter(status=None, touching=(ANN,))).items
    assert (closed.id, closed.status) == (held.id, "accepted")
    assert undo.review_before[0].status == "open"
    [entry] = [e for e in identity.store.list_audit(AuditFilter()).items if e.action == "undo"]
    assert entry.actor == "steward-2"

    identity.rebuild()
    assert {identity.lookup(k).id for k in (ANN, BOB, new_phone)} == {together}


def test_a_split_is_not_merged_back_past_a_guard(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    split = split_off_bob(stewards, fused)
    identity.ingest_observations(
        [obs("o9", "crm_id:C-ANN", ANN, minute=9), obs("o10", "crm_id:C-BOB", BOB, minute=10)]
    )
    before = state(identity)

    with pytest.raises(InvalidInput) as refused:
        stewards.undo_decision(split.id, reason="oops", actor="steward-2")

    assert refused.value.field == "decisionId"
    assert "can no longer be merged back (limit: the merge would give one profile 2 crm_id" in (
        refused.value.reason
    )
    assert state(identity) == before
    assert stewards.get_decision(split.id).undone_by is None


def test_a_split_reads_the_observations_it_needs_through_the_log_index(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    assert LogIndex(identity.store, identity.registry).catch_up() == 5
    store = identity.store
    reads: list[int] = []
    read_log = store.read_log

    def counted(after_seq: int, limit: int) -> Sequence[tuple[int, str]]:
        reads.append(after_seq)
        return read_log(after_seq, limit)

    store.read_log = counted  # type: ignore[method-assign]
    split = split_off_bob(stewards, fused)

    last = store.last_sequence()
    assert reads == [last, last], "only looks past the end, before the lock and under it"
    bob = next(p for p in split.profiles_after if p != fused)
    assert identity.store.get_profiles([bob])[bob].attributes == {"first_name": "Bob"}


def test_a_manual_merge_is_refused_by_a_cannot_link(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    split = split_off_bob(stewards, fused)
    ann, bob = split.profiles_after

    with pytest.raises(InvalidInput) as refused:
        stewards.merge_profiles(ann, bob, reason="no", actor="s")

    assert refused.value.field == "b"
    assert f"(split {split.id}: " in refused.value.reason, "it names the decision to undo"
    with pytest.raises(NotFound):
        stewards.merge_profiles(ann, "prf_nobody", reason="no", actor="s")


def test_splits_and_merges_survive_a_rebuild(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    split_off_bob(stewards, fused)
    identity.ingest_observations([obs("o5", "email:zed@acme.io", minute=5)])
    stewards.merge_profiles(ANN, identity.lookup("email:zed@acme.io").id, reason="same", actor="s")
    partition = state(identity)["members"]
    keys = [ANN, COOKIE, KIOSK, BOB, PHONE, "email:zed@acme.io"]
    before = identity.store.profile_ids_for_identifiers(keys)

    identity.rebuild()

    assert identity.store.profile_ids_for_identifiers(keys) == before
    assert state(identity)["members"] == partition


def test_review_items_are_accepted_and_rejected(
    identity: IdentityService, stewards: StewardService
) -> None:
    identity.ingest_observations(
        [
            obs("a", "crm_id:A-1", "email:p@acme.io", minute=1),
            obs("b", "crm_id:B-1", PHONE, minute=2),
            obs("j", "email:p@acme.io", PHONE, minute=3),
            obs("c", "crm_id:C-1", "email:q@acme.io", minute=4),
            obs("d", "crm_id:D-1", BOB, minute=5),
            obs("k", "email:q@acme.io", BOB, minute=6),
        ]
    )
    first, second = identity.store.list_review_items(ReviewFilter()).items
    before = state(identity)

    accepted = stewards.resolve_review_item(first.id, True, reason="same person", actor="s")
    rejected = stewards.resolve_review_item(second.id, False, reason="twins", actor="s")

    assert identity.lookup("crm_id:A-1").id == identity.lookup("crm_id:B-1").id
    assert identity.lookup("crm_id:C-1").id != identity.lookup("crm_id:D-1").id
    statuses = [i.status for i in identity.store.list_review_items(ReviewFilter(None)).items]
    assert statuses == ["accepted", "rejected"]
    with pytest.raises(InvalidInput) as closed:
        stewards.resolve_review_item(first.id, False, reason="again", actor="s")
    assert closed.value.field == "itemId"
    with pytest.raises(NotFound):
        stewards.resolve_review_item(99, True, reason="x", actor="s")
    identity.ingest_observations([obs("k2", "email:q@acme.io", BOB, minute=7)])
    assert identity.lookup("crm_id:C-1").id != identity.lookup("crm_id:D-1").id
    live = [
        (i.a, i.b, i.status) for i in identity.store.list_review_items(ReviewFilter(None)).items
    ]

    identity.rebuild()
    assert identity.lookup("crm_id:A-1").id == identity.lookup("crm_id:B-1").id
    replayed = [
        (i.a, i.b, i.status) for i in identity.store.list_review_items(ReviewFilter(None)).items
    ]
    assert replayed == live, "the replay's items are closed again where they were"
    assert [status for _, _, status in live][:2] == ["accepted", "rejected"]
    assert identity.lookup("crm_id:C-1").id != identity.lookup("crm_id:D-1").id
    assert accepted.kind == "review_accept"
    assert rejected.kind == "review_reject"
    with pytest.raises(InvalidInput) as refused:
        stewards.merge_profiles("crm_id:C-1", "crm_id:D-1", reason="sure?", actor="s")
    assert f"(review {second.id} {rejected.id}: twins)" in refused.value.reason
    assert before["members"] != state(identity)["members"]


def test_accepting_an_item_closes_another_between_the_same_two_profiles(
    identity: IdentityService, stewards: StewardService
) -> None:
    """Both items ask whether profiles A and B are one person: the steward's answer to one
    answers the other, which is accepted with it (a reject would be refused now, the two
    being one profile), and its held link turns active, live as after a rebuild."""
    identity.ingest_observations(
        [
            obs("a", "crm_id:A-1", "email:p@acme.io", "cookie_id:c-a", minute=1),
            obs("b", "crm_id:B-1", PHONE, "cookie_id:c-b", minute=2),
            obs("j1", "email:p@acme.io", PHONE, minute=3),
            obs("j2", "cookie_id:c-a", "cookie_id:c-b", minute=4),
        ]
    )
    first, second = identity.store.list_review_items(ReviewFilter()).items
    opened = evidence_statuses(identity)

    accepted = stewards.resolve_review_item(first.id, True, reason="same person", actor="s")

    assert identity.lookup("crm_id:A-1").id == identity.lookup("crm_id:B-1").id
    assert review_statuses(identity) == [
        (first.a, first.b, "accepted", "s", "same person"),
        (second.a, second.b, "accepted", "s", f"merged by decision {accepted.id}: same person"),
    ]
    assert [(r.item_id, r.status) for r in accepted.review_before] == [
        (first.id, "open"),
        (second.id, "open"),
    ]
    assert evidence_statuses(identity)[(second.a, second.b)] == {"active"}
    assert identity.store.list_review_items(ReviewFilter()).items == []
    with pytest.raises(InvalidInput) as closed:
        stewards.resolve_review_item(second.id, False, reason="twins", actor="s")
    assert "accepted, not open" in closed.value.reason
    live = review_statuses(identity), evidence_statuses(identity)
    identity.rebuild()
    assert (review_statuses(identity), evidence_statuses(identity)) == live
    stewards.undo_decision(accepted.id, reason="undo", actor="s")
    assert review_statuses(identity) == [
        (item.a, item.b, "open", None, None) for item in (first, second)
    ]
    assert evidence_statuses(identity) == opened, "both links held again"


def test_an_item_whose_ends_new_records_joined_is_answered_and_not_decided(
    identity: IdentityService, stewards: StewardService
) -> None:
    """An email link joined the ends of a link the hub guard held: the graph answered the
    item (status `answered`, naming that record) and its link is active. Neither accepting
    nor rejecting it means anything now; a cannot-link inside one profile would contradict
    the graph, and a rebuild would take the profile apart."""
    emails = [f"email:e{n}@acme.io" for n in range(5)]
    identity.ingest_observations([obs(f"s{n}", key, minute=n) for n, key in enumerate(emails)])
    identity.ingest_observations(
        [obs(f"d{n}", key, KIOSK, minute=10 + n) for n, key in enumerate(emails)]
    )
    identity.ingest_observations([obs("j", emails[4], emails[0], minute=20)])
    [held] = [
        i
        for i in identity.store.list_review_items(ReviewFilter(status=None)).items
        if emails[4] in (i.a, i.b)
    ]
    assert (held.status, held.answered_by) == ("answered", "j")
    joined = identity.lookup(emails[4]).id
    assert identity.lookup(KIOSK).id == joined

    for accept in (False, True):
        with pytest.raises(InvalidInput) as refused:
            stewards.resolve_review_item(held.id, accept, reason="twins", actor="s")
        assert refused.value.field == "itemId"
        assert "is answered, not open: observation j put" in refused.value.reason
        assert joined in refused.value.reason
    assert identity.store.list_cannot_links() == []
    members = identity.store.profile_ids_for_identifiers([*emails, KIOSK])
    identity.rebuild()
    assert identity.store.profile_ids_for_identifiers([*emails, KIOSK]) == members


def review_statuses(identity: IdentityService) -> list[tuple[Any, ...]]:
    """Every review item's pair and status, with who closed it and why: the store keeps the
    resolution for the audit but no read of the port returns it, so it is read from the file."""
    items = identity.store.list_review_items(ReviewFilter(None)).items
    with closing(sqlite3.connect(identity.settings.db)) as db:
        # The table is made with the first decision.
        made = db.execute("SELECT 1 FROM sqlite_schema WHERE name = 'review_resolutions'")
        query = "SELECT item_id, actor, reason FROM review_resolutions"
        rows = db.execute(query).fetchall() if made.fetchone() else []
    resolved = {item_id: (actor, reason) for item_id, actor, reason in rows}
    return [(i.a, i.b, i.status, *resolved.get(i.id, (None, None))) for i in items]


def evidence_statuses(identity: IdentityService) -> dict[tuple[str, str], set[str]]:
    """The statuses of the evidence rows of each pair, over all profiles."""
    profiles = [p.id for batch in identity.store.iter_profiles() for p in batch]
    found: dict[tuple[str, str], set[str]] = {}
    for e in identity.store.profile_slice(profiles).evidence:
        found.setdefault((e.a, e.b), set()).add(e.status)
    return found


def crm_holds(identity: IdentityService) -> tuple[str, str]:
    """One email with three CRM numbers: profile 1 holds it and crm_id 1; the links to crm_id
    2 and 3 are held (a profile holds one crm_id), each an open review item. Answers the
    pairs of the items to profiles 2 and 3."""
    report = identity.ingest_observations(
        [
            obs("c1", "email:a@acme.io", "crm_id:1", minute=1),
            obs("c2", "email:a@acme.io", "crm_id:2", minute=2),
            obs("c3", "email:a@acme.io", "crm_id:3", minute=3),
        ]
    )
    assert report.accepted == 3
    two, three = identity.store.list_review_items(ReviewFilter()).items
    assert identity.lookup("crm_id:2").id != identity.lookup("crm_id:1").id
    return (two.a, two.b), (three.a, three.b)


def test_a_manual_merge_closes_the_items_it_answers(
    identity: IdentityService, stewards: StewardService
) -> None:
    to_two, to_three = crm_holds(identity)

    merge = stewards.merge_profiles("crm_id:1", "crm_id:2", reason="same person", actor="ann")

    statuses = review_statuses(identity)
    assert statuses[0] == (
        *to_two,
        "accepted",
        "ann",
        f"merged by decision {merge.id}: same person",
    )
    assert [(r.a, r.b, r.status) for r in merge.review_before] == [(*to_two, "open")]
    assert evidence_statuses(identity)[to_two] == {"active"}, "as accepting it would"
    assert [(i.a, i.b) for i in identity.store.list_review_items(ReviewFilter()).items] == [
        to_three
    ]


def test_an_item_not_inside_the_merged_profile_stays_open(
    identity: IdentityService, stewards: StewardService
) -> None:
    to_two, to_three = crm_holds(identity)
    identity.ingest_observations([obs("z", "email:zed@acme.io", minute=9)])

    stewards.merge_profiles("crm_id:2", "email:zed@acme.io", reason="same", actor="ann")
    stewards.merge_profiles("crm_id:3", "crm_id:2", reason="same", actor="ann")

    assert identity.lookup("crm_id:3").id != identity.lookup("email:a@acme.io").id
    assert [s[2] for s in review_statuses(identity)] == ["open", "open"]
    assert evidence_statuses(identity)[to_two] == {"held"}
    assert evidence_statuses(identity)[to_three] == {"held"}


def test_undoing_a_merge_opens_the_items_it_closed_and_holds_their_links_again(
    identity: IdentityService, stewards: StewardService
) -> None:
    to_two, _ = crm_holds(identity)
    before = review_statuses(identity), evidence_statuses(identity)
    merge = stewards.merge_profiles("crm_id:1", "crm_id:2", reason="same", actor="s")
    assert (*to_two, "accepted") in [s[:3] for s in review_statuses(identity)]

    stewards.undo_decision(merge.id, reason="undo", actor="s")

    assert (review_statuses(identity), evidence_statuses(identity)) == before


def test_a_rebuild_closes_the_items_a_merge_closed_and_its_undo_opens_them(
    identity: IdentityService, stewards: StewardService
) -> None:
    to_two, _ = crm_holds(identity)
    before = evidence_statuses(identity)
    merge = stewards.merge_profiles("crm_id:1", "crm_id:2", reason="same", actor="s")
    identity.ingest_observations([obs("later", "email:zed@acme.io", PHONE, minute=30)])
    live = review_statuses(identity), evidence_statuses(identity)
    assert (*to_two, "accepted") in [s[:3] for s in live[0]]

    identity.rebuild()

    assert (review_statuses(identity), evidence_statuses(identity)) == live
    stewards.undo_decision(merge.id, reason="undo", actor="s")
    open_pairs = [(i.a, i.b) for i in identity.store.list_review_items(ReviewFilter()).items]
    assert to_two in open_pairs, "found by its pair: the rebuild gave the item a new ID"
    assert {pair: before[pair] for pair in before} == {
        pair: evidence_statuses(identity)[pair] for pair in before
    }


def test_a_rebuild_keeps_no_resolution_of_an_item_it_replaced(
    identity: IdentityService, stewards: StewardService
) -> None:
    """A rebuild opens its items under new IDs, and its replay closes them again: the
    resolutions of the items it replaced go (they named the pair, which an erasure of one of
    its ends would not find any more)."""
    to_two, _ = crm_holds(identity)
    item = next(
        i for i in identity.store.list_review_items(ReviewFilter()).items if (i.a, i.b) == to_two
    )
    stewards.resolve_review_item(item.id, False, reason="not the same", actor="s")

    identity.rebuild()

    items = {i.id: i for i in identity.store.list_review_items(ReviewFilter(None)).items}
    with closing(sqlite3.connect(identity.settings.db)) as db:
        kept = dict(db.execute("SELECT item_id, reason FROM review_resolutions").fetchall())
    assert item.id not in items, "the premise: the rebuild gave the item a new ID"
    assert kept == {i.id: "not the same" for i in items.values() if i.status == "rejected"}
    assert len(kept) == 1


def test_undoing_a_review_decision_opens_the_item_again(
    identity: IdentityService, stewards: StewardService
) -> None:
    identity.ingest_observations(
        [
            obs("a", "crm_id:A-1", "email:p@acme.io", minute=1),
            obs("b", "crm_id:B-1", PHONE, minute=2),
            obs("j", "email:p@acme.io", PHONE, minute=3),
        ]
    )
    [item] = identity.store.list_review_items(ReviewFilter()).items
    before = state(identity)

    for accept in (True, False):
        decision = stewards.resolve_review_item(item.id, accept, reason="check", actor="s")
        stewards.undo_decision(decision.id, reason="undo", actor="s")
        assert state(identity) == before


def test_bad_requests_name_the_field(identity: IdentityService, stewards: StewardService) -> None:
    fused = kiosk_world(identity)
    cases = [
        ({"groups": [[ANN], ["email:zed@acme.io"]]}, "groups[1][0]"),
        ({"groups": [[ANN], [ANN]]}, "groups[1][0]"),
        ({"groups": [[ANN]]}, "groups"),
        ({"groups": [[ANN], [BOB]]}, "groups[1]"),
        ({"cut_edges": [(ANN, BOB)]}, "cutEdges[0]"),
        ({"groups": [["nonsense"], [BOB]]}, "groups[0][0]"),
    ]
    for arguments, field in cases:
        with pytest.raises(InvalidInput) as refused:
            stewards.split_profile(fused, **arguments, reason="r", actor="s")
        assert refused.value.field == field, arguments
    with pytest.raises(InvalidInput) as blank:
        stewards.split_profile(fused, groups=[[ANN], [BOB]], reason="  ", actor="s")
    assert blank.value.field == "reason"
    with pytest.raises(NotFound):
        stewards.split_profile("prf_nobody", groups=[[ANN], [BOB]], reason="r", actor="s")


def test_a_split_gives_an_absorbed_profile_id_to_the_part_that_created_it(
    identity: IdentityService, stewards: StewardService
) -> None:
    """Bob's profile was absorbed into Ann's through a shared tablet; once split, a client
    holding Bob's old ID must read Bob, not Ann."""
    identity.ingest_observations(
        [
            obs("o1", BOB, minute=1),
            obs("o2", ANN, PHONE, minute=2),
            obs("o3", PHONE, KIOSK, minute=3),
            obs("o4", BOB, KIOSK, minute=4),
        ]
    )
    bob_first = profile_id_for("o1", BOB)
    fused = identity.lookup(ANN)
    assert bob_first in fused.aliases

    stewards.split_profile(fused.id, cut_edges=[(PHONE, KIOSK)], reason="r", actor="s")

    assert identity.get_profile(bob_first).id == identity.lookup(BOB).id
    assert identity.lookup(BOB).id != identity.lookup(ANN).id


def test_a_cut_pair_whose_ends_stay_in_one_part_is_refused(
    identity: IdentityService, stewards: StewardService
) -> None:
    """Ann's email, cookie and phone in a triangle, Bob's email off the phone: cutting the
    email-cookie link splits nothing (they stay joined through the phone)."""
    identity.ingest_observations(
        [
            obs("o1", ANN, COOKIE, minute=1),
            obs("o2", COOKIE, PHONE, minute=2),
            obs("o3", PHONE, ANN, minute=3),
            obs("o4", PHONE, BOB, minute=4),
        ]
    )
    fused = identity.lookup(ANN).id

    with pytest.raises(InvalidInput) as refused:
        stewards.split_profile(
            fused, cut_edges=[(PHONE, BOB), (ANN, COOKIE)], reason="r", actor="s"
        )

    assert refused.value.field == "cutEdges[1]"
    assert "stay in one part" in refused.value.reason
    assert identity.lookup(BOB).id == fused, "nothing was split"


def test_a_rebuild_reproduces_decisions_exactly_so_they_can_still_be_undone(
    identity: IdentityService, stewards: StewardService
) -> None:
    fused = kiosk_world(identity)
    before = state(identity)
    split = split_off_bob(stewards, fused)
    identity.ingest_observations([obs("o5", "email:zed@acme.io", minute=5)])
    merge = stewards.merge_profiles(BOB, "email:zed@acme.io", reason="same", actor="s")
    decided = state(identity)

    identity.rebuild()

    rebuilt = state(identity)
    # The split's constraints hold from its place in the log on, as they did live: the cut
    # link is linked again and cut again, and no review item was opened for it, live or now.
    assert rebuilt == decided
    stewards.undo_decision(merge.id, reason="x", actor="s")
    stewards.undo_decision(split.id, reason="x", actor="s")
    restored = state(identity)
    assert restored["members"] == before["members"]
    assert restored["profiles"] == before["profiles"]
    assert restored["aliases"] == before["aliases"]


def test_a_reference_with_a_mistyped_type_is_told_so(
    identity: IdentityService, stewards: StewardService
) -> None:
    kiosk_world(identity)

    with pytest.raises(NotFound) as looked_up:
        identity.lookup("emial:ann@acme.io")
    with pytest.raises(NotFound) as merged:
        stewards.merge_profiles("foo:bar", ANN, reason="same", actor="s")
    with pytest.raises(NotFound) as plain:
        identity.lookup("prf_nobody")
    with pytest.raises(NotFound) as bare:
        identity.lookup("ann@acme.io")

    assert "'emial' is not an identifier type (known: cookie_id, crm_id" in str(looked_up.value)
    assert str(merged.value).startswith("a: no profile has the ID 'foo:bar', and 'foo' is not")
    assert str(plain.value) == "no profile has the ID 'prf_nobody'"
    assert str(bare.value) == (
        "no profile has the ID 'ann@acme.io'; an identifier is written type:value, "
        "such as email:ann@acme.io"
    )


def exported(identity: IdentityService) -> list[Any]:
    """Every profile: ID, identifiers, aliases, golden attributes."""
    return sorted(
        (p.id, sorted(i.identifier.key for i in p.identifiers), sorted(p.aliases), p.attributes)
        for p in identity.export_profiles()
    )


def test_a_re_applied_manual_merge_keeps_the_survivor_it_had(
    identity: IdentityService, stewards: StewardService
) -> None:
    """Records that reached the absorbed profile after the merge come before the merge in a
    rebuild, so there it is the larger one; the engine's rule alone would make it survive."""
    identity.ingest_observations([obs("o1", "cookie_id:k1"), obs("o2", "cookie_id:k2")])
    merged = stewards.merge_profiles("cookie_id:k1", "cookie_id:k2", reason="same", actor="s")
    identity.ingest_observations([obs("o3", "cookie_id:k2", "cookie_id:k3", "cookie_id:k4")])
    live = exported(identity)

    identity.rebuild()

    assert exported(identity) == live
    assert [p[0] for p in live] == list(merged.profiles_after)


def test_a_rebuild_gives_back_the_parts_of_a_split_whatever_the_log_order(
    identity: IdentityService, stewards: StewardService
) -> None:
    """The parts' smallest identifiers are k2 and k1: a constraint between them alone holds
    the C1-k2 link in the replay (C1 met k1 first), and the split could not be re-applied."""
    identity.ingest_observations([obs("o1", "crm_id:C1", "cookie_id:k1", minute=1)])
    identity.ingest_observations([obs("o2", "crm_id:C1", "cookie_id:k2", minute=2)])
    fused = identity.lookup("crm_id:C1").id
    stewards.split_profile(
        fused, cut_edges=[("cookie_id:k1", "crm_id:C1")], reason="two people", actor="s"
    )
    live = exported(identity)

    identity.rebuild()

    assert exported(identity) == live
    assert identity.lookup("crm_id:C1").id == identity.lookup("cookie_id:k2").id


def test_a_rebuild_re_applies_each_decision_where_the_log_stood(
    identity: IdentityService, stewards: StewardService
) -> None:
    """A steward let a profile hold two CRM numbers; the user ID that came after was held
    back by that profile's limit. Replayed before the merge, it would have joined."""
    identity.ingest_observations([obs("o1", "crm_id:C1", "crm_id:C2", minute=1)])
    merged = stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="one firm", actor="s")
    identity.ingest_observations([obs("o2", "crm_id:C1", "user_id:U1", minute=2)])
    assert identity.lookup("user_id:U1").id != identity.lookup("crm_id:C1").id
    live = exported(identity)

    identity.rebuild()

    assert exported(identity) == live
    assert merged.details["log_position"] == 1


def test_a_decision_is_re_applied_in_place_across_positions_an_erasure_emptied(
    identity: IdentityService, stewards: StewardService
) -> None:
    identity.ingest_observations([obs("o1", "crm_id:C1", "crm_id:C2", minute=1)])
    identity.ingest_observations([obs("o2", "email:gone@acme.io", minute=2)])
    stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="one firm", actor="s")
    ErasureService(identity).erase_profile("email:gone@acme.io", reason="GDPR", actor="dpo")
    identity.ingest_observations([obs("o3", "crm_id:C1", "user_id:U1", minute=3)])
    assert [seq for seq, _ in identity.store.read_log(0, 10)] == [1, 3]
    live = exported(identity)

    identity.rebuild()

    assert exported(identity) == live
    assert identity.lookup("user_id:U1").id != identity.lookup("crm_id:C1").id


def ann_through_bobs_email(identity: IdentityService) -> None:
    """Bob's record, then Ann's naming Bob's e-mail beside her own: the name conflict
    quarantines Bob's e-mail, and the engine folds Ann's attributes into her e-mail's profile."""
    identity.ingest_observations([obs("o1", "user_id:U1", "email:a@acme.io", first_name="Bob")])
    identity.ingest_observations(
        [obs("o2", "email:a@acme.io", "email:b@acme.io", minute=2, first_name="Ann", city="Oslo")]
    )
    assert identity.lookup("email:b@acme.io").attributes == {"first_name": "Ann", "city": "Oslo"}


def test_a_split_folds_no_record_into_a_part_the_engine_did_not_anchor_it_at(
    identity: IdentityService, stewards: StewardService
) -> None:
    ann_through_bobs_email(identity)

    stewards.split_profile(
        "user_id:U1", groups=[["user_id:U1"], ["email:a@acme.io"]], reason="r", actor="s"
    )

    assert identity.lookup("email:a@acme.io").attributes == {}
    assert identity.lookup("user_id:U1").attributes == {"first_name": "Bob"}


def test_an_erasure_keeps_the_attributes_another_profile_was_given(
    identity: IdentityService,
) -> None:
    ann_through_bobs_email(identity)

    ErasureService(identity).erase_profile("user_id:U1", reason="GDPR", actor="dpo")
    live = exported(identity)
    identity.rebuild()

    assert exported(identity) == live
    assert identity.lookup("email:b@acme.io").attributes == {"first_name": "Ann", "city": "Oslo"}


def test_a_rebuild_keeps_the_alias_a_split_left_for_a_profile_merged_before_it(
    identity: IdentityService, stewards: StewardService
) -> None:
    """The e-mail's own profile was merged into the CRM number's, then split off again: its
    old ID is an alias of the e-mail's part, after a rebuild too."""
    identity.ingest_observations([obs("o1", "crm_id:A1", minute=1)])
    absorbed = identity.ingest_observations([obs("o2", "email:b@acme.io", minute=2)])
    assert absorbed.accepted == 1
    before_merge = identity.lookup("email:b@acme.io").id
    identity.ingest_observations([obs("o3", "crm_id:A1", "email:b@acme.io", minute=3)])
    fused = identity.lookup("crm_id:A1").id
    stewards.split_profile(
        fused, cut_edges=[("crm_id:A1", "email:b@acme.io")], reason="two people", actor="s"
    )
    live = exported(identity)
    email_part = identity.lookup("email:b@acme.io").id
    assert email_part != fused
    assert identity.store.resolve_profile_ids([before_merge]) == {before_merge: email_part}

    identity.rebuild()

    assert exported(identity) == live


def test_a_split_holds_links_in_a_rebuild_only_from_its_place_in_the_log(
    identity: IdentityService, stewards: StewardService
) -> None:
    """Live, the user ID was with CRM B when a record tied it to CRM A, so the limit held that
    link; the split came later. Had its constraint held from the start of the replay, the user
    ID would have been free, and joined CRM A."""
    identity.ingest_observations([obs("o1", "crm_id:A1", minute=1)])
    identity.ingest_observations([obs("o2", "crm_id:B1", "user_id:U1", minute=2)])
    identity.ingest_observations([obs("o3", "user_id:U1", "crm_id:A1", minute=3)])
    stewards.split_profile(
        identity.lookup("crm_id:B1").id,
        cut_edges=[("crm_id:B1", "user_id:U1")],
        reason="shared login",
        actor="s",
    )
    live = exported(identity)
    assert identity.lookup("user_id:U1").id != identity.lookup("crm_id:A1").id

    identity.rebuild()

    assert exported(identity) == live
