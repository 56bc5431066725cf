"""A rebuild and a migration reproduce the live graph after steward decisions and erasures:
the same profiles under the same IDs and aliases, the same evidence statuses, the same open
review items and the same items the graph answered, by the same records. Each case is a
sequence a hypothesis hunt over ingest, split, merge, review, undo and erasure found
diverging, cut down to its few steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.erasure import unnamed_observation
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.kept_links import KEPT_LINKS
from datora_graph.domain.profiles import MergeRecord, ReviewFilter
from datora_graph.domain.record_marks import UNLINKED
from datora_graph.erasure_service import ErasureService
from datora_graph.log_index import LogIndex
from datora_graph.migrate import Migration
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore


class World:
    """The live store with its services, and what it holds, as compared."""

    def __init__(self, store: GraphStore, folder: Path) -> None:
        self.folder = folder
        self.store = store
        self.identity = IdentityService(store, Settings(db=folder / "unused.db"))
        self.stewards = StewardService(self.identity)
        self.sent = 0
        self.compare_merges = True

    def ingest(self, *keys: str, **attributes: str) -> None:
        self.sent += 1
        item: dict[str, Any] = {
            "id": f"o{self.sent}",
            "source": "crm",
            "observed_at": f"2026-05-01T10:{self.sent:02d}:00Z",
            "identifiers": [
                dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys
            ],
        }
        if attributes:
            item["attributes"] = attributes
        assert self.identity.ingest_observations([item]).accepted == 1

    def split(self, reference: str, *cuts: tuple[str, str]) -> Any:
        profile = self.identity.lookup(reference).id
        return self.stewards.split_profile(profile, cut_edges=list(cuts), reason="r", actor="s")

    def erase(self, reference: str) -> None:
        ErasureService(self.identity).erase_profile(reference, reason="r", actor="dpo")
        # Merge history is left out after an erasure: open findings AA to AC below.
        self.compare_merges = False

    def state(self, store: GraphStore | None = None) -> dict[str, Any]:
        store = store or self.store
        profiles = [p for batch in store.iter_profiles() for p in batch]
        evidence = store.profile_slice([p.id for p in profiles]).evidence
        review = store.list_review_items(ReviewFilter("open", 0, 1000)).items
        answered = store.list_review_items(ReviewFilter("answered", 0, 1000)).items
        keys = sorted(i.identifier.key for p in profiles for i in p.identifiers)
        guards = store.load_snapshot(keys).identifier_guards
        constraints = {c.id: (c.a, c.b) for c in store.list_cannot_links()}
        # Hub joins past the bound change nothing and are not kept (`join_seqs`).
        kept = self.identity.settings.hub_max_profiles
        return {
            "profiles": {p.id: sorted(i.identifier.key for i in p.identifiers) for p in profiles},
            "aliases": {p.id: sorted(p.aliases) for p in profiles if p.aliases},
            "evidence": sorted({(e.a, e.b, e.source, e.status) for e in evidence}),
            "review": sorted((i.a, i.b) for i in review),
            "held_by": sorted(
                (i.a, i.b, constraints[i.constraint_id])
                for i in review
                if i.constraint_id in constraints
            ),
            "answered": sorted((i.a, i.b, i.answered_by) for i in answered),
            "quarantined": sorted(key for key, g in guards.items() if g.quarantined),
            "joins": sorted((key, min(g.joins, kept)) for key, g in guards.items() if g.joins),
            "merges": self.merges(store) if self.compare_merges else {},
        }

    def merges(self, store: GraphStore | None = None) -> dict[str, list[MergeRecord]]:
        """Each profile's merge history, as `Profile.mergeHistory` serves it."""
        store = store or self.store
        return store.merge_history([p.id for batch in store.iter_profiles() for p in batch])

    def held_items(self) -> list[tuple[str, ...]]:
        """The open review items as a steward reads them: pair, guard, reason, action."""
        items = self.store.list_review_items(ReviewFilter("open", 0, 1000)).items
        return sorted((i.a, i.b, i.guard, i.reason, i.suggested_action) for i in items)

    def review_history(self) -> list[tuple[str, str, str]]:
        """Every review item's pair and status, closed ones too."""
        items = self.store.list_review_items(ReviewFilter(None, 0, 1000)).items
        return sorted((i.a, i.b, i.status) for i in items)

    def migrated(self) -> dict[str, Any]:
        target = SqliteStore(self.folder / "target.db")
        try:
            Migration(self.store, target, self.identity.settings).run()
            return self.state(target)
        finally:
            target.close()

    def rebuilt(self) -> dict[str, Any]:
        self.identity.rebuild()
        return self.state()


def open_finding(reason: str) -> pytest.MarkDecorator:
    """A finding not fixed yet: a strict xfail, so the test fails today and its fix must
    remove the mark."""
    return pytest.mark.xfail(strict=True, reason=reason)


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> World:
    return World(store, tmp_path)


def test_the_part_left_after_the_other_part_of_a_split_is_erased_keeps_its_id(
    world: World,
) -> None:
    """The erased part kept the profile's ID; that ID must not come back as an alias."""
    world.ingest("crm_id:C2", "user_id:U2")
    world.split("crm_id:C2", ("crm_id:C2", "user_id:U2"))
    world.erase("crm_id:C2")
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_cut_link_stays_cut_after_a_third_part_is_erased(world: World) -> None:
    world.ingest("phone:+14155552671", "cookie_id:k2", "user_id:U2")
    world.split(
        "cookie_id:k2", ("cookie_id:k2", "user_id:U2"), ("phone:+14155552671", "user_id:U2")
    )
    world.erase("phone:+14155552671")
    live = world.state()

    assert world.rebuilt() == live


def test_a_quarantine_an_erased_record_caused_still_holds_a_later_record_apart(
    world: World,
) -> None:
    world.ingest("email:e0@x.io", "cookie_id:k1", first_name="Ann")
    world.ingest("user_id:U1", "cookie_id:k1", first_name="Bob")
    world.erase("user_id:U1")
    world.ingest("cookie_id:k1", "device_id:d1")
    live = world.state()

    assert world.rebuilt() == live


def test_a_split_replayed_folds_in_only_the_records_logged_before_it(world: World) -> None:
    """Bob's record came after the split: folded into Ann's part early, its name would have
    agreed with itself, and the name-conflict guard not fired."""
    world.ingest("email:e0@x.io", "cookie_id:k1", first_name="Ann")
    world.split("email:e0@x.io", ("cookie_id:k1", "email:e0@x.io"))
    world.ingest("email:e0@x.io", "device_id:d1", first_name="Bob")
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_held_link_a_merge_answered_is_cut_by_a_later_split(world: World) -> None:
    """The merge of k3's profile (with C1) and C2's says C1 and C2 are one person: their held
    link (two CRM numbers) turns active and its item is accepted, live as in the replay; a
    split cutting it then sets it to cut, with no item left to close."""
    world.ingest("crm_id:C2", "cookie_id:k3", "crm_id:C1")
    world.stewards.merge_profiles("cookie_id:k3", "crm_id:C2", reason="r", actor="s")
    assert ("crm_id:C1", "crm_id:C2", "crm", "active") in world.state()["evidence"]
    decision = world.split(
        "cookie_id:k3", ("cookie_id:k3", "crm_id:C1"), ("crm_id:C1", "crm_id:C2")
    )
    live = world.state()

    assert ("crm_id:C1", "crm_id:C2", "crm", "cut") in live["evidence"]
    assert live["review"] == []
    assert decision.review_before == ()
    history = world.review_history()
    assert history == [("crm_id:C1", "crm_id:C2", "accepted")]
    assert world.rebuilt() == live
    assert world.review_history() == history


def test_a_merge_closes_the_items_it_answers_live_as_in_the_replay(world: World) -> None:
    """Two held links between the CRM profiles 1 and 2 and one to profile 3: merging 1 and 2
    accepts the two items inside the merged profile and makes their links active, leaves the
    third open, and a rebuild and a migration do the same; its undo opens the two again."""
    world.ingest("crm_id:C1", "email:e1@x.io", "cookie_id:k1")
    world.ingest("crm_id:C2", "phone:+14155552671", "cookie_id:k2")
    world.ingest("crm_id:C3", "device_id:d3")
    world.ingest("email:e1@x.io", "phone:+14155552671")
    world.ingest("cookie_id:k1", "cookie_id:k2")
    world.ingest("email:e1@x.io", "device_id:d3")
    opened = world.state()
    assert len(opened["review"]) == 3

    merge = world.stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="r", actor="s")
    live = world.state()

    assert len(live["review"]) == 1, "the item to profile 3 stays open"
    assert {r.status for r in merge.review_before} == {"open"}
    assert len(merge.review_before) == 2
    assert all(e[3] == "active" for e in live["evidence"] if e[0] != "device_id:d3")
    history = world.review_history()
    assert sorted(status for _, _, status in history) == ["accepted", "accepted", "open"]
    assert world.migrated() == live
    assert world.rebuilt() == live
    assert world.review_history() == history
    world.stewards.undo_decision(merge.id, reason="r", actor="s")
    assert world.state() == opened, "the undo opens them and holds their links again"


def test_an_open_item_on_a_pair_a_split_cuts_is_closed_live_as_in_the_replay(
    world: World,
) -> None:
    world.ingest("crm_id:C1", "crm_id:C2")
    world.stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="r", actor="s")
    world.ingest("email:e0@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "crm_id:C2"))
    live = world.state()

    assert live["review"] == []
    assert world.rebuilt() == live


def test_the_id_a_merge_back_made_an_alias_still_resolves(world: World) -> None:
    """New records reached the split's parts, so its undo merged them back; the part's ID
    became an alias. Replayed as neither the split nor its undo, that ID was lost."""
    world.ingest("email:e0@x.io", "email:e1@x.io")
    split = world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    world.ingest("email:e0@x.io", "email:e1@x.io")
    undo = world.stewards.undo_decision(split.id, reason="r", actor="s")
    live = world.state()

    assert undo.details["merged_back"]
    assert live["aliases"], "the part's ID is an alias"
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_records_between_a_split_and_its_merge_back_are_resolved_as_they_were(
    world: World,
) -> None:
    """Bob's record reached the unnamed part while the split stood, and linked there; without
    the split in the replay, the device was Ann's and the name conflict held Bob apart."""
    world.ingest("device_id:d2", "email:e1@x.io", "crm_id:C2", first_name="Ann")
    split = world.split("crm_id:C2", ("crm_id:C2", "device_id:d2"))
    world.ingest("user_id:U1", "device_id:d2", first_name="Bob")
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_join_an_erased_record_counted_towards_a_hub_still_counts(world: World) -> None:
    """Bob's record joined the kiosk's profile (a join towards its hub bound) before a steward
    split him off; Cy's made the second join, and Dan's found the kiosk shared by too many.
    Without Bob's join, a replay let Dan into Ann's profile."""
    world.ingest("email:ann@x.io", "device_id:kiosk")
    world.ingest("email:bob@x.io", "device_id:kiosk")
    world.split("email:bob@x.io", ("device_id:kiosk", "email:bob@x.io"))
    world.erase("email:bob@x.io")
    world.ingest("email:cy@x.io", "device_id:kiosk")
    world.ingest("email:dan@x.io", "device_id:kiosk")
    live = world.state()

    assert live["review"] == [("device_id:kiosk", "email:dan@x.io")]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_hub_joins_past_the_bound_an_erasure_cannot_keep_change_nothing(world: World) -> None:
    """The hunt comparing hub joins, seed 12: e0's fourth join (the second record of e0 and
    e1, held at e0's quarantine) is past the bound, so its position is not kept and the
    erasure of e1 cannot mark it; a replay counts three. From the bound's last join on the
    guard refuses whatever the count, so the counts compare up to the bound."""
    e0, e1 = "email:e0@x.io", "email:e1@x.io"
    world.ingest(e0)
    world.ingest(e0, "crm_id:C2")
    world.ingest(e0, e1, "crm_id:C1")
    world.ingest(e0, e1)
    world.ingest(e0, e1)
    world.erase("crm_id:C1")
    world.ingest("email:cy@x.io", e0)
    live = world.state()

    assert world.store.load_snapshot([e0]).identifier_guards[e0].joins == 5
    assert live["review"] == [("email:cy@x.io", e0)]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_review_item_id_is_never_given_twice(world: World) -> None:
    """An erasure deleted the newest item and a rebuild recreates them all: a new item gets
    an ID of its own, so a decision or an audit entry naming an old ID never names another
    link; an undo after the rebuild finds the item it closed by its pair."""
    world.ingest("crm_id:C-1", "cookie_id:k1")
    world.ingest("crm_id:C-2", "cookie_id:k1")
    world.ingest("crm_id:C-3", "cookie_id:k2")
    world.ingest("crm_id:C-4", "cookie_id:k2")
    items = world.store.list_review_items(ReviewFilter(None, 0, 100)).items
    first, newest = min(i.id for i in items), max(i.id for i in items)
    rejected = world.stewards.resolve_review_item(first, False, reason="r", actor="s")
    world.erase("crm_id:C-4")
    world.ingest("crm_id:C-5", "cookie_id:k2")

    [fresh] = [i for i in world.store.list_review_items(ReviewFilter()).items if i.id != first]
    assert fresh.id > newest
    world.identity.rebuild()
    rebuilt = world.store.list_review_items(ReviewFilter(None, 0, 100)).items
    assert min(i.id for i in rebuilt) > fresh.id
    world.stewards.undo_decision(rejected.id, reason="r", actor="s")
    reopened = world.store.list_review_items(ReviewFilter()).items
    assert (rejected.details["a"], rejected.details["b"]) in {(i.a, i.b) for i in reopened}


def test_an_undo_of_a_split_the_erasure_deleted_goes_with_it(world: World) -> None:
    """The split named only the erased person; its undo, kept alone, named a decision the
    log no longer held, and a migration refused to write it."""
    world.ingest("email:e0@x.io", "email:e1@x.io")
    split = world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    undo = world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.erase("email:e0@x.io")
    live = world.state()

    assert world.store.get_decisions([split.id, undo.id]) == {}
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_record_whose_anchor_was_erased_links_nothing_of_what_is_left(world: World) -> None:
    """The user ID linked the e-mail (and, held, the other user ID); the split took the e-mail
    away, the erasure the first user ID. What the record keeps was never linked by it: read
    afresh, the second user ID would anchor it and take the e-mail in."""
    world.ingest("user_id:U1", "email:e0@x.io", "user_id:U2")
    world.split("email:e0@x.io", ("email:e0@x.io", "user_id:U1"))
    world.erase("user_id:U1")
    live = world.state()

    assert world.identity.lookup("email:e0@x.io").id != world.identity.lookup("user_id:U2").id
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_record_that_quarantined_at_its_link_and_lost_its_anchor_links_nothing(
    world: World,
) -> None:
    """U1's record quarantined the phone at its held link (two user IDs). The erasure counts
    that quarantine when it picks the record's anchor, the engine does not (it picks first),
    yet both pick U1: a held link quarantines its lower end, never the anchor, so dropping it
    leaves the highest open identifier where it was."""
    world.ingest("user_id:U2", "phone:+12025550143")
    world.ingest("user_id:U1", "phone:+12025550143", "email:e1@x.io", "cookie_id:k1")
    world.split("user_id:U1", ("user_id:U1", "email:e1@x.io"), ("user_id:U1", "cookie_id:k1"))
    world.erase("user_id:U1")
    live = world.state()

    assert json.loads(world.store.read_log(1, 1)[0][1])[UNLINKED] is True
    assert live["quarantined"] == ["phone:+12025550143"]
    assert world.identity.lookup("email:e1@x.io").id != world.identity.lookup("cookie_id:k1").id
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_limit_quarantine_the_erased_person_caused_holds_in_a_replay(world: World) -> None:
    """The phone was quarantined when U1's record met it in U2's profile (two user IDs); the
    split took the phone away from U2, the erasure U2. U1's record does not carry U2, yet
    the quarantine it made must hold in a replay, where U2 is not there to cause it."""
    world.ingest("user_id:U2", "phone:+12025550143")
    world.ingest("user_id:U1", "phone:+12025550143")
    world.split("phone:+12025550143", ("phone:+12025550143", "user_id:U2"))
    world.erase("user_id:U2")
    live = world.state()

    assert world.rebuilt() == live
    assert world.migrated() == live


# -- found by the second hunt; those marked xfail are not fixed yet: each fails today
# (strict), and its fix removes the mark.
def test_a_merge_back_replays_past_a_later_decisions_constraint(world: World) -> None:
    """The second hunt's C, fixed by merging back as if the constraints of decisions the
    replay has not reached did not exist (they did not, live): the last split's cannot-link
    on e0-e1, dormant, had refused the merge-back, and the replay then skipped the second
    split, whose groups no longer made one profile."""
    world.ingest("email:e0@x.io", "email:e1@x.io")
    split = world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    world.ingest("email:e0@x.io", last_name="Kim")
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.ingest("email:e1@x.io", "crm_id:C2")
    profile = world.identity.lookup("crm_id:C2").id
    world.stewards.split_profile(
        profile, groups=[["crm_id:C2"], ["email:e1@x.io"]], reason="r", actor="s"
    )
    world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_split_merged_back_holds_its_pair_where_a_later_decision_cut_it_again(
    world: World,
) -> None:
    """Also C: the later split's row on e0-e1, dormant, had kept the replayed first split
    from writing its own, so the replay joined e1 to C2's profile where the live graph held
    the link for review; the item the merge-back accepted was never made."""
    world.ingest("email:e0@x.io", "email:e1@x.io")
    split = world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    world.ingest("email:e0@x.io", "crm_id:C2")
    world.ingest("email:e1@x.io", "crm_id:C2")
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.stewards.split_profile(
        world.identity.lookup("crm_id:C2").id,
        groups=[["email:e0@x.io"], ["email:e1@x.io", "crm_id:C2"]],
        reason="r",
        actor="s",
    )
    live = world.state(), world.review_history()

    assert (world.rebuilt(), world.review_history()) == live


def test_an_alias_a_merge_made_is_the_same_after_the_merge_is_erased(world: World) -> None:
    """The second hunt's D, fixed by giving each alias to the part that created it: e1's old
    ID went with e1's part and with the erasure, as in the replay, which never merged."""
    world.ingest("email:e0@x.io")
    world.ingest("email:e1@x.io")
    world.stewards.merge_profiles(
        world.identity.lookup("email:e0@x.io").id,
        world.identity.lookup("email:e1@x.io").id,
        reason="r",
        actor="s",
    )
    profile = world.identity.lookup("email:e0@x.io").id
    world.stewards.split_profile(
        profile, groups=[["email:e0@x.io"], ["email:e1@x.io"]], reason="r", actor="s"
    )
    world.erase("email:e1@x.io")
    live = world.state()

    assert world.rebuilt() == live


def test_a_redacted_merge_writes_no_evidence_of_its_own(world: World) -> None:
    world.ingest("user_id:U1", "email:e2@x.io", "user_id:U2")
    world.stewards.merge_profiles(
        world.identity.lookup("email:e2@x.io").id,
        world.identity.lookup("user_id:U2").id,
        reason="r",
        actor="s",
    )
    world.split("email:e2@x.io", ("email:e2@x.io", "user_id:U1"), ("email:e2@x.io", "user_id:U2"))
    world.erase("email:e2@x.io")
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_split_whose_group_was_joined_only_through_the_person_replays(world: World) -> None:
    world.ingest("user_id:U1", "email:e0@x.io")
    world.ingest("user_id:U1", "device_id:d1")
    world.ingest("user_id:U1", "cookie_id:k1")
    profile = world.identity.lookup("user_id:U1").id
    world.stewards.split_profile(
        profile,
        groups=[["cookie_id:k1"], ["user_id:U1", "email:e0@x.io", "device_id:d1"]],
        reason="r",
        actor="s",
    )
    profile = world.identity.lookup("user_id:U1").id
    world.stewards.split_profile(
        profile,
        groups=[["user_id:U1"], ["email:e0@x.io"], ["device_id:d1"]],
        reason="r",
        actor="s",
    )
    world.erase("user_id:U1")
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


# -- found by the third hunt (I to L).
def test_a_record_that_lost_its_anchor_to_an_erasure_makes_no_alias_of_its_own(
    world: World,
) -> None:
    """The third hunt's I: live, the device came in with C1's record, in C1's new profile,
    which then took e0's in (e0's ID an alias); the split gave the device and e0 a part of
    their own, and the erasure took C1. Replayed without C1, the record made the device a
    profile of its own, under an ID live never had, which e0's older one took in: that ID
    became an alias of the part."""
    world.ingest("email:e0@x.io")
    world.ingest("device_id:d1", "crm_id:C1")
    world.ingest("email:e0@x.io", "device_id:d1")
    world.split("crm_id:C1", ("crm_id:C1", "device_id:d1"))
    world.erase("crm_id:C1")
    live = world.state()

    assert world.migrated() == live
    assert world.rebuilt() == live


@open_finding(
    "open AA: the replay records the merge that took in the device's profile made under an ID "
    "live never had; the re-applied split drops that alias but keeps its merge note"
)
def test_a_profile_live_never_had_leaves_no_merge_note_in_a_replay(world: World) -> None:
    """I's shape, its merge history: live, e0's profile was absorbed into C1's (the erasure
    deleted that note with C1's profile); replayed, o3 merged the device's new profile into
    e0's, and the split gives the part no alias of it, as live, but the note stays."""
    world.ingest("email:e0@x.io")
    world.ingest("device_id:d1", "crm_id:C1")
    world.ingest("email:e0@x.io", "device_id:d1")
    world.split("crm_id:C1", ("crm_id:C1", "device_id:d1"))
    world.erase("crm_id:C1")
    world.compare_merges = True
    live = world.state()
    assert live["merges"] == {}

    assert world.migrated() == live
    assert world.rebuilt() == live


def _erase_the_device_split_off_after_a_merge_back(world: World) -> None:
    """A split of the device, undone by merging back, the device split off again and erased."""
    world.ingest("email:e0@x.io")
    world.ingest("email:e0@x.io", "email:e1@x.io", "device_id:d1")
    split = world.split("email:e0@x.io", ("device_id:d1", "email:e0@x.io"))
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.split("email:e0@x.io", ("device_id:d1", "email:e0@x.io"))
    world.erase("device_id:d1")


def test_a_part_left_alone_by_an_erasure_keeps_the_alias_a_merge_back_gave_it(
    world: World,
) -> None:
    """Also I, found as a missing alias: the first split's part ID became an alias of e0's
    profile when its undo merged the parts back; the second split cut the device off again,
    and the erasure took it. Re-applied with the one part left, the split worked the part's
    aliases out from the replay, and lost that one."""
    _erase_the_device_split_off_after_a_merge_back(world)
    live = world.state()

    assert live["aliases"], "the first split's part ID is an alias"
    assert world.migrated() == live
    assert world.rebuilt() == live


@open_finding(
    "open AB: the merge-back of a split the erasure redacted is not applied again; the "
    "re-applied later split restores its alias, but not its merge note"
)
def test_the_merge_note_of_a_merge_back_stays_after_the_device_is_erased(world: World) -> None:
    """I's alias case, its merge history: live, e0's profile keeps the undo's note (the first
    split's part absorbed, `undo of split …`); replayed, the part ID is an alias again and
    the profile has no merge history."""
    _erase_the_device_split_off_after_a_merge_back(world)
    world.compare_merges = True
    live = world.state()
    assert live["merges"], "the merge-back's note"

    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_limit_quarantine_holds_where_a_split_cut_the_person_off_before_the_erasure(
    world: World,
) -> None:
    """The third hunt's J: the cookie was quarantined when U2's record met it in U1's
    profile (two user IDs); the split cut U1 off from the CRM number, not from the cookie,
    so the cookie was no neighbour of the erased profile, and its quarantine was not kept
    for a replay (finding H's fix looked at neighbours only). It is, now, for every
    identifier in the profile of one the person's records carried."""
    world.ingest("crm_id:C1", "cookie_id:k2", "user_id:U1")
    world.ingest("user_id:U2", "cookie_id:k2")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U1"))
    world.erase("user_id:U1")
    live = world.state()

    assert ("cookie_id:k2", "user_id:U2") in live["review"]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_limit_quarantine_made_past_a_steward_merge_holds_after_its_cause_is_erased(
    world: World,
) -> None:
    """Also J: the steward let C1's profile hold C2 too, so e1's record met two CRM numbers
    there and e1 was quarantined, its link held. The split cut C2 off and the erasure took
    it; e1 is one held link away from the profile the person was in, and no record the
    erasure rewrites carries it."""
    world.ingest("email:e0@x.io", "crm_id:C1", "crm_id:C2")
    world.stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="r", actor="s")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "crm_id:C2"))
    world.erase("crm_id:C2")
    live = world.state()

    assert live["review"] == [("email:e0@x.io", "email:e1@x.io")]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_name_conflict_is_found_in_a_replay_before_the_limit_quarantine_kept_for_it(
    world: World,
) -> None:
    """The third hunt's L: Ann's record met e0 in Bob's profile and e1 in a profile of no
    name, so e0 was quarantined (a name conflict, before linking); linking then held e1,
    which would bring U1 and U2 together, and quarantined it. The split cut U1 off and the
    erasure took it, keeping e1's quarantine on Ann's record for a replay. Kept as made
    before linking, e1 was already quarantined at the name check, which then found nothing
    agreeing with Ann: e0 stayed open, and C1's later record joined Bob's profile. A
    quarantine made at a held link is now kept as such, and made again at that link."""
    world.ingest("user_id:U1", "email:e1@x.io")
    world.ingest("user_id:U2", "email:e0@x.io", first_name="Bob")
    world.ingest("email:e0@x.io", "email:e1@x.io", "user_id:U2", first_name="Ann")
    world.split("user_id:U1", ("email:e1@x.io", "user_id:U1"))
    world.erase("user_id:U1")
    world.ingest("email:e0@x.io", "crm_id:C1")
    live = world.state()

    assert ("crm_id:C1", "email:e0@x.io") in live["review"]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_held_by_a_limit_the_erased_cookie_caused_stays_held(world: World) -> None:
    """The third hunt's K, fixed by a mark the erasure writes on U1's record (`_held_here`):
    C1's profile held U2 through the cookie when U1's record came, so the link C1-U1 was held
    (two user IDs; U1 is of the limited type, so nothing was quarantined). The split cut the
    cookie off and the erasure took it: replayed without it, C1 and U2 were never one
    profile, and the record would have linked C1. The mark holds it, for the live reason."""
    world.ingest("crm_id:C1", "cookie_id:k1")
    world.ingest("user_id:U2", "cookie_id:k1")
    world.ingest("crm_id:C1", "user_id:U1")
    world.split("cookie_id:k1", ("cookie_id:k1", "crm_id:C1"), ("cookie_id:k1", "user_id:U2"))
    world.erase("cookie_id:k1")
    live = world.state(), world.held_items()

    assert live[0]["review"] == [("crm_id:C1", "user_id:U1")]
    assert (world.rebuilt(), world.held_items()) == live
    assert world.migrated() == live[0]


def test_a_link_a_limit_held_until_a_split_is_linked_after_it_in_a_replay(world: World) -> None:
    """Also K: the split let the third record of C1 and U1 merge them, live as in a replay;
    only the records before it keep the hold."""
    world.ingest("crm_id:C1", "cookie_id:k1")
    world.ingest("user_id:U2", "cookie_id:k1")
    world.ingest("crm_id:C1", "user_id:U1")
    world.ingest("crm_id:C1", "user_id:U1")
    world.split("cookie_id:k1", ("cookie_id:k1", "crm_id:C1"), ("cookie_id:k1", "user_id:U2"))
    world.ingest("crm_id:C1", "user_id:U1")
    world.erase("cookie_id:k1")
    live = world.state()

    assert world.identity.lookup("crm_id:C1").id == world.identity.lookup("user_id:U1").id
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_a_limit_held_past_a_split_of_an_email_stays_held_in_a_replay(
    world: World,
) -> None:
    """Also K: the first split took only an e-mail out of C1's profile, which still held U2
    through the cookie, so the fourth record's link C1-U1 was held too, and keeps the mark;
    the second split took U2 away with the cookie, and the last record linked them."""
    world.ingest("crm_id:C1", "cookie_id:k1")
    world.ingest("user_id:U2", "cookie_id:k1")
    world.ingest("crm_id:C1", "user_id:U1")
    world.ingest("crm_id:C1", "email:e1@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "email:e1@x.io"))
    world.ingest("crm_id:C1", "user_id:U1")
    world.split("cookie_id:k1", ("cookie_id:k1", "crm_id:C1"))
    world.ingest("crm_id:C1", "user_id:U1")
    world.erase("cookie_id:k1")
    live = world.state()

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_a_limit_held_past_a_split_undone_exactly_stays_held_in_a_replay(
    world: World,
) -> None:
    """Also K: the first split cut the cookie off C1, and its exact undo put it back, so the
    fourth record's link C1-U1 was held again live. The erasure took the split for where the
    hold ended and left that record unmarked, but a replay applies neither the split nor its
    undo: without the cookie it linked C1 and U1."""
    world.ingest("crm_id:C1", "cookie_id:k1")
    world.ingest("user_id:U2", "cookie_id:k1")
    world.ingest("crm_id:C1", "user_id:U1")
    split = world.split("cookie_id:k1", ("cookie_id:k1", "crm_id:C1"))
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.ingest("crm_id:C1", "user_id:U1")
    world.split("cookie_id:k1", ("cookie_id:k1", "crm_id:C1"), ("cookie_id:k1", "user_id:U2"))
    world.erase("cookie_id:k1")
    live = world.state()

    assert live["review"] == [("crm_id:C1", "user_id:U1")]
    assert world.rebuilt() == live
    assert world.migrated() == live


def _erase_the_email_that_made_u1s_profile_the_larger(world: World) -> None:
    """e1 makes U1's profile survive the merge with C1's; U1 is split off both, e1 erased."""
    world.ingest("crm_id:C1", "email:e0@x.io")
    world.ingest("crm_id:C2")
    world.ingest("email:e1@x.io", "device_id:d1", "user_id:U1")
    world.ingest("email:e0@x.io", "device_id:d1")
    world.split("user_id:U1", ("device_id:d1", "user_id:U1"), ("email:e1@x.io", "user_id:U1"))
    world.erase("email:e1@x.io")


def test_the_part_that_keeps_a_split_profiles_id_keeps_its_creation_in_a_replay(
    world: World,
) -> None:
    """The fourth hunt's N: e1 made U1's profile the larger (three against two), so it
    survived the merge e0-d1 and the split left its ID, created by the third record, to U1's
    part; C2's profile, older, then survived the last merge. Replayed without e1, the sizes
    tie and C1's older profile survives instead: the part re-applied under U1's ID took that
    profile's creation (the first record) with it, and beat C2's. The split's own record of
    the profile keeps the creation it had live."""
    _erase_the_email_that_made_u1s_profile_the_larger(world)
    c2 = world.identity.lookup("crm_id:C2").id
    world.ingest("crm_id:C2", "user_id:U1")
    live = world.state()

    assert world.identity.lookup("user_id:U1").id == c2
    assert world.rebuilt() == live
    assert world.migrated() == live


@open_finding(
    "open AC: the merge before the split had the other survivor in a replay (the erased e1 "
    "made U1's profile the larger live); the re-applied split restores IDs, not the note"
)
def test_a_merge_the_erased_email_decided_keeps_its_survivor_in_the_merge_history(
    world: World,
) -> None:
    """N's shape, its merge history: live, o4 merged C1's profile into U1's (three
    identifiers against two), and that note, kept on U1's ID, came to C2's profile with it at
    o5; replayed without e1 the sizes tie, C1's older profile survives o4, and the note names
    the merge the other way round, under C1's part."""
    _erase_the_email_that_made_u1s_profile_the_larger(world)
    world.ingest("crm_id:C2", "user_id:U1")
    world.compare_merges = True
    live = world.state()

    assert world.rebuilt() == live


def test_a_name_check_the_erased_cookie_made_agree_finds_no_conflict_in_a_replay(
    world: World,
) -> None:
    """The third hunt's M: the cookie joined the phone to Ann's profile, so Bob's record met
    e0 and the phone both in Ann's profile, disagreeing, and quarantined nothing (no other
    side to keep apart). The split cut the cookie off and the erasure took it: replayed
    without it, the phone is a profile of no name when Bob's record comes, agreeing with
    him, and e0 is quarantined, its link to the phone held. Like K, what the record met was
    a profile the erased identifier had joined; the record does not carry it. Fixed by a mark
    the erasure writes on Bob's record (`_name_checked_here`): a replay keeps the outcome of
    its name check live, nothing quarantined, instead of checking again."""
    world.ingest("email:e0@x.io", "cookie_id:k2", first_name="Ann")
    world.ingest("phone:+14155552671", "cookie_id:k2")
    world.ingest("email:e0@x.io", "phone:+14155552671", first_name="Bob")
    world.split(
        "cookie_id:k2", ("cookie_id:k2", "email:e0@x.io"), ("cookie_id:k2", "phone:+14155552671")
    )
    world.erase("cookie_id:k2")
    live = world.state()

    assert live["review"] == []
    assert world.rebuilt() == live


def test_a_name_check_that_met_a_profile_the_erased_cookie_joined_keeps_its_outcome(
    world: World,
) -> None:
    """The fourth hunt's P, of M's family: k1 joined k2 to Bob's profile, so Ann's record met
    e0 and k2 both there, disagreeing, and quarantined nothing; its link k2-e0 was active.
    The split cut k1 off and the erasure took it: replayed without it, k2 was a profile of
    no name, e0 was quarantined and the link held, and the split, its one part in two
    profiles, was not re-applied. The mark on Ann's record keeps its name check's outcome."""
    world.ingest("email:e0@x.io")
    world.ingest("email:e0@x.io", "cookie_id:k1", first_name="Bob")
    world.ingest("cookie_id:k1", "cookie_id:k2")
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k2", "email:e0@x.io", first_name="Ann")
    world.split("cookie_id:k1", ("cookie_id:k1", "cookie_id:k2"), ("cookie_id:k1", "email:e0@x.io"))
    world.erase("cookie_id:k1")
    live = world.state()

    assert ("cookie_id:k2", "email:e0@x.io", "crm", "active") in live["evidence"]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_part_the_split_created_keeps_its_own_creation_when_the_keeper_is_erased(
    world: World,
) -> None:
    """The fifth hunt's Q: the split left e0's profile its ID (created by the first record)
    and gave e1 a part of its own, created by the third record, younger than U1's profile;
    U1's, of equal size, survived the last merge. The erasure took e0 and its part: replayed,
    e1's part is the one part left, first of the parts, and took the split profile's
    creation as if it kept its ID, and beat U1's (in a migration, whose log numbers close the
    erased records' gaps, it tied, and the profile IDs decided). Only the part keeping the
    split profile's ID keeps its creation; another part has that of its own first record."""
    world.ingest("email:e0@x.io")
    world.ingest("user_id:U1")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    u1 = world.identity.lookup("user_id:U1").id
    world.ingest("user_id:U1", "email:e1@x.io")
    world.erase("email:e0@x.io")
    live = world.state()

    assert world.identity.lookup("email:e1@x.io").id == u1
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_a_cannot_link_from_the_erased_number_held_stays_held(world: World) -> None:
    """The sixth hunt's R: the split cut C1 off e1, a cannot-link C1-e1; C1 then joined e0,
    so the record of e0 and e1 was held by that constraint (an open review item), and a
    second split cut C1 off e0. The erasure took C1 and its constraint with it: replayed,
    nothing kept e0 and e1 apart, and they merged, the link active. Like K's limit, only
    the person's identifier in an end's profile made the guard refuse; the erasure marks
    the record with the hold (`_held_here`) up to the split that took C1 out, as it does
    for a limit's."""
    world.ingest("crm_id:C1", "email:e1@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "email:e1@x.io"))
    world.ingest("crm_id:C1", "email:e0@x.io")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "email:e0@x.io"))
    world.erase("crm_id:C1")
    live = world.state()

    assert live["review"] == [("email:e0@x.io", "email:e1@x.io")]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_both_quarantines_one_record_made_at_its_links_hold_after_the_erasure(
    world: World,
) -> None:
    """The seventh hunt's S: C1's record met e0 and e1 in C2's profile and the CRM limit
    quarantined both at its held links. Split off and erased, C2 took the cause with it; the
    erasure marks the record with what it quarantined, but it marked e0 only and skipped e1,
    as if the record, once marked for one, were marked for all: replayed, e1 was left open."""
    emails = ["email:e0@x.io", "email:e1@x.io"]
    world.ingest("email:e0@x.io")
    world.ingest("crm_id:C2", *emails)
    world.ingest("email:e0@x.io", "crm_id:C1", "email:e1@x.io")
    world.split("crm_id:C2", *(("crm_id:C2", e) for e in emails))
    world.erase("crm_id:C2")
    live = world.state()

    assert live["quarantined"] == emails
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_made_inside_a_profile_the_erased_number_had_joined_stays_active(
    world: World,
) -> None:
    """The seventh hunt's T (seed 31): C2's record joined e0 and e1; C1's record then
    quarantined e0 (two CRM numbers); e0 and e1 sent together were already one profile, so
    their link was made active with no guard asked. The split cut C2 off and the erasure took
    it: replayed, C2's record links nothing, e0 and e1 meet as two profiles, and e0's
    quarantine held their link. Live, they stay one profile: the erasure marks the record of
    e0 and e1 with its link (`_linked_here`), which a replay makes active with no guard asked."""
    emails = ["email:e0@x.io", "email:e1@x.io"]
    world.ingest("email:e0@x.io")
    world.ingest("crm_id:C2", *emails)
    world.ingest("email:e0@x.io", "crm_id:C1")
    world.ingest(*emails)
    world.split("crm_id:C2", *(("crm_id:C2", e) for e in emails))
    world.erase("crm_id:C2")
    live = world.state()

    assert world.identity.lookup(emails[0]).id == world.identity.lookup(emails[1]).id
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_kept_active_inside_the_erased_cookies_profile_counts_no_join(
    world: World,
) -> None:
    """The hunt comparing hub joins, M's shape without names: k2 joined e0 and the phone, so
    the record of e0 and the phone linked them inside one profile, counting no join towards
    the phone's hub bound. The split cut k2 off and the erasure took it: the record is marked
    `_linked_here`, but a replay met two profiles, no guard refused, and it counted a join the
    live graph never had, so the phone's third join (Dan's) was held as through a hub."""
    phone = "phone:+14155552671"
    world.ingest("email:e0@x.io", "cookie_id:k2")
    world.ingest(phone, "cookie_id:k2")
    world.ingest("email:e0@x.io", phone)
    world.split("cookie_id:k2", ("cookie_id:k2", "email:e0@x.io"), ("cookie_id:k2", phone))
    world.erase("cookie_id:k2")
    world.ingest("email:cy@x.io", phone)
    world.ingest("email:dan@x.io", phone)
    live = world.state()

    assert live["joins"] == [(phone, 2)]
    assert live["review"] == []
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_joining_two_profiles_live_counts_its_join_after_the_erasure(
    world: World,
) -> None:
    """The records before e0 and e1's connect them only through U2's held link and a split
    that since cut U2 off e1: live, their record joined two profiles, counting a join on e1.
    The erasure of U2 must not mark that link `_linked_here` (made inside one profile), or a
    replay would count no join."""
    world.ingest("user_id:U1", "email:e0@x.io")
    world.ingest("user_id:U2", "email:e1@x.io")
    world.ingest("user_id:U1", "user_id:U2")
    world.split("user_id:U2", ("user_id:U2", "email:e1@x.io"))
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.erase("user_id:U2")
    live = world.state()

    assert live["joins"] == [("email:e1@x.io", 1)]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_the_erased_persons_record_made_inside_its_profile_stays_active(
    world: World,
) -> None:
    """The replay hunt, seed 3 with T fixed: e1's records joined e0 and the phone into one
    profile (Bob's, by C1); Ann's record quarantined the phone (a name conflict). The record of
    e0, e1 and the phone then linked e0 to the phone inside that profile, no guard asked. The
    split cut e1 off and the erasure took it: live, e0 and the phone stay one profile;
    replayed, the rewritten record (e0, the phone) met two profiles and the phone's
    quarantine held the link. The erasure now marks the link on the person's rewritten record
    (`_linked_here`) as on a record of others."""
    e0, e1, phone = "email:e0@x.io", "email:e1@x.io", "phone:+14155552671"
    world.ingest(e0)
    world.ingest(e0, e1, "cookie_id:k1")
    world.ingest(e1, phone, "crm_id:C1", first_name="Bob")
    world.ingest(phone, "user_id:U1", first_name="Ann")
    world.ingest(e0, e1, phone)
    world.split(e0, (e0, e1), ("crm_id:C1", e1))
    world.erase(e1)
    live = world.state()

    assert world.identity.lookup(e0).id == world.identity.lookup(phone).id
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_the_erased_persons_record_made_after_joining_a_profile_stays_active(
    world: World,
) -> None:
    """As above, with the profile joined by the record itself: e0, e1 and the phone sent
    together, e1 already with the quarantined phone (Ann's record met Bob's). The record linked
    e0 to e1 first, so its link e0-the phone (the quarantined one last) was made inside one
    profile. Only the records before it had connected e1 and the phone, not e0: the erasure
    follows the record's own links in the engine's order to find the link inside."""
    e0, e1, phone = "email:e0@x.io", "email:e1@x.io", "phone:+14155552671"
    world.ingest(e1, phone, first_name="Bob")
    world.ingest(phone, "user_id:U1", first_name="Ann")
    world.ingest(e0, e1, phone)
    world.split(e0, (e0, e1), (e1, phone))
    world.erase(e1)
    live = world.state()

    assert live["quarantined"] == [phone]
    assert world.identity.lookup(e0).id == world.identity.lookup(phone).id
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_record_an_erasure_unlinked_is_marked_with_no_link_by_the_next(world: World) -> None:
    """The first erasure took the anchor (C1) of the record of C1, e0, k1 and d1, which so
    linked none of the others in a replay; the second (d1) rewrites it again. e0 and k1 were
    one profile before it, and e0 ranks first of what is left, but the record never linked
    them: it gets no `_linked_here`, a mark no replay would read."""
    e0, k1, d1, c1 = "email:e0@x.io", "cookie_id:k1", "device_id:d1", "crm_id:C1"
    world.ingest(e0, k1, d1)
    world.ingest(c1, e0, k1, d1)
    world.split(e0, *((c1, k) for k in (e0, k1, d1)), (e0, d1))
    world.erase(c1)
    world.erase(d1)
    live = world.state()

    index = LogIndex(world.store, world.identity.registry)
    (record,) = (json.loads(p) for _, p in index.observations_with({k1}) if '"o2"' in p)
    assert record[UNLINKED] is True
    assert KEPT_LINKS not in record
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_the_erased_persons_record_made_after_joining_its_ends_counts_no_join(
    world: World,
) -> None:
    """The replay hunt comparing hub joins, seed 13: C1's record linked C1 to e0 (joining
    k1's profile, one join on e0) and then to k1, already in the same profile: no join on k1.
    The split cut e0 off and the erasure took it: the rewritten record (C1, k1) meets k1's
    profile and counts a join on k1, so Dan's record, k1's third join live, was held as
    through a hub in a replay. The erasure marks C1-k1 `_linked_here` on the rewritten record
    (made inside one profile, by the record's own earlier link), which counts no join."""
    world.ingest("email:e0@x.io", "cookie_id:k1")
    world.ingest("crm_id:C1", "email:e0@x.io", "cookie_id:k1")
    world.split("email:e0@x.io", *(("email:e0@x.io", k) for k in ("cookie_id:k1", "crm_id:C1")))
    world.erase("email:e0@x.io")
    world.ingest("email:cy@x.io", "cookie_id:k1")
    world.ingest("email:dan@x.io", "cookie_id:k1")
    live = world.state()

    assert live["review"] == []
    assert world.migrated() == live
    assert world.rebuilt() == live


@open_finding(
    "open AD: a link made inside one profile live, a cannot-link from a later split naming its "
    "pair, is not marked _linked_here; replayed, the rewritten record counts a hub join live "
    "never had (cannot-links keep no log position to tell a later one from an earlier one)",
)
def test_a_link_a_later_split_forbade_keeps_counting_no_join_after_the_erasure(
    world: World,
) -> None:
    """The replay hunt, seed 13 with W and Y fixed: C1's record linked C1 to e0 (joining e0's
    profile, a join on e0) and then to k1, already in it: no join on k1. The splits cut k1 off
    and C1 off, leaving cannot-links C1-k1 and C1-e0, and the erasure took e0 and e1. The
    erasure leaves C1-k1 unmarked because a cannot-link names it, though the constraint came
    after the record: replayed, the rewritten record (C1, k1) meets k1's profile and counts a
    join on k1 live never had."""
    e0, e1, k1, c1 = "email:e0@x.io", "email:e1@x.io", "cookie_id:k1", "crm_id:C1"
    world.ingest(e0)
    world.ingest(e0, e1, k1)
    world.ingest(c1, k1, e0)
    world.ingest(e0)
    world.split(k1, (e0, k1), (c1, k1))
    world.split(c1, (c1, e0))
    world.erase(e0)
    live = world.state()

    assert live["joins"] == []
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_a_merge_with_the_erased_persons_profile_accepted_stays_active(
    world: World,
) -> None:
    """The replay hunt, seed 7 with T fixed: C2's record met e0 and e1 in C1's profile, and the
    per-type limit (two CRM numbers) held both links; a steward merged C1's and C2's profiles,
    accepting both items. The split cut C1 off and the erasure took it: live, C2, e0 and e1
    stay one profile, both links active; replayed, C2-e1 is held again, its item open."""
    e0, e1 = "email:e0@x.io", "email:e1@x.io"
    world.ingest(e0)
    world.ingest("crm_id:C1", e0, e1)
    world.ingest(e0, "crm_id:C2", e1)
    world.stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="r", actor="s")
    world.split(e0, *(("crm_id:C1", k) for k in ("crm_id:C2", e0, e1)))
    world.erase("crm_id:C1")
    live = world.state()

    assert live["review"] == []
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_a_merge_accepted_joins_again_the_profile_another_record_made(
    world: World,
) -> None:
    """As above, but e1 reached C1's profile through the cookie, by a record of others (k1
    with e1): replayed without C1, the merge joins C2 with the cookie's profile (the stand-in
    for C1) and finds e0 apart; it joins e0 again at the item it accepted (C2-e0), where live
    made that link active, keeping e0's profile, the survivor it had live. The cookie's
    profile, which live never had, leaves no alias and no merge in the history."""
    e0, e1, k1 = "email:e0@x.io", "email:e1@x.io", "cookie_id:k1"
    world.ingest(e0)
    world.ingest("crm_id:C1", e0, k1)
    world.ingest(k1, e1)
    world.ingest(e0, "crm_id:C2", e1)
    world.stewards.merge_profiles("crm_id:C1", "crm_id:C2", reason="r", actor="s")
    world.split(e0, ("crm_id:C1", e0), ("crm_id:C1", k1))
    world.erase("crm_id:C1")
    live, survivor = world.state(), world.identity.lookup(e0).id
    history = world.store.merge_history([survivor])

    assert live["profiles"] == {survivor: sorted([k1, "crm_id:C2", e0, e1])}
    assert live["review"] == []
    assert world.migrated() == live
    assert world.rebuilt() == live
    assert world.store.merge_history([survivor]) == history


def test_an_answer_a_kept_record_made_live_is_made_there_in_a_replay(world: World) -> None:
    """The hunt's V (seed 3), which sent back a first `_answered_here`: Bob's record (o6)
    held e1-phone (a name conflict quarantined the phone, in Ann's profile), and o8 (e0 with
    e1) answered the item by joining their profiles. U1's erasure keeps o8, which answers the
    item in a replay by itself; marking o6 with the answer merged the profiles there instead,
    while e1's profile was fresh, so the replay had no merge and no alias where live had one.
    With `_linked_here` alone, o8 answers it, live and replayed."""
    e0, e1, phone = "email:e0@x.io", "email:e1@x.io", "phone:+14155552671"
    for _ in range(3):
        world.ingest(e0)
    world.ingest(e0, phone, first_name="Ann")
    world.ingest(e0, "user_id:U1")
    world.ingest(e1, phone, first_name="Bob")
    world.ingest(e0)
    world.split(e0, (e0, "user_id:U1"))
    world.ingest(e0, e1)
    world.erase("user_id:U1")
    live = world.state()

    assert live["answered"] == [(e1, phone, "o8")]
    assert any(live["aliases"].values())
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_an_item_a_later_record_answers_is_answered_live_as_in_the_replay(
    world: World,
) -> None:
    """Bob's record ties Ann's cookie to Bob's email: the cookie is quarantined (its profile
    is Ann's) and the link held for review. A later record joins Ann's and Bob's profiles
    through her email and his device: the graph has answered the item, which is closed as
    answered by that record, its link active, live as in a rebuild and a migration. The
    other item, whose ends stay apart, stays open."""
    world.ingest("email:ann@x.io", "cookie_id:k1", first_name="Ann")
    world.ingest("email:bob@x.io", "device_id:d1", first_name="Bob")
    world.ingest("email:bob@x.io", "cookie_id:k1", first_name="Bob")
    world.ingest("email:cy@x.io", first_name="Cy")
    world.ingest("email:cy@x.io", "cookie_id:k1", first_name="Cy")
    opened = world.state()
    assert opened["review"] == [
        ("cookie_id:k1", "email:bob@x.io"),
        ("cookie_id:k1", "email:cy@x.io"),
    ]

    world.ingest("email:ann@x.io", "device_id:d1")
    live = world.state()

    assert live["review"] == [("cookie_id:k1", "email:cy@x.io")]
    assert ("cookie_id:k1", "email:bob@x.io", "crm", "active") in live["evidence"]
    assert live["answered"] == [("cookie_id:k1", "email:bob@x.io", "o6")]
    history = world.review_history()
    assert world.migrated() == live
    assert world.rebuilt() == live
    assert world.review_history() == history


def test_a_split_cutting_an_answered_link_and_its_undo_leave_the_item_answered(
    world: World,
) -> None:
    """The item a record answered is no longer open: a split cutting its link closes nothing
    (its `review_before` is empty) and the undo opens nothing again; the item stays answered,
    live as in the replay."""
    world.ingest("email:ann@x.io", "cookie_id:k1", first_name="Ann")
    world.ingest("email:bob@x.io", "device_id:d1", first_name="Bob")
    world.ingest("email:bob@x.io", "cookie_id:k1", first_name="Bob")
    world.ingest("email:ann@x.io", "device_id:d1")
    joined = world.state()
    answered = [("cookie_id:k1", "email:bob@x.io", "o4")]
    assert joined["answered"] == answered

    split = world.split(
        "cookie_id:k1", ("cookie_id:k1", "email:bob@x.io"), ("cookie_id:k1", "email:ann@x.io")
    )
    live = world.state()

    assert split.review_before == ()
    assert live["answered"] == answered
    assert ("cookie_id:k1", "email:bob@x.io", "crm", "cut") in live["evidence"]
    assert world.rebuilt() == live
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    assert world.state() == joined


def _answered_through_the_person(world: World) -> tuple[str, ...]:
    """Bob's record holds Ann's cookie off his email (a name conflict); the person's record,
    which carries only the person's two devices, one in Ann's profile and one in Bob's, joins
    them and answers the item; a split keeps Ann and Bob together and the person apart, and
    the person is erased. Returns Ann's and Bob's identifiers."""
    ann, bob, k1, d1 = "email:ann@x.io", "email:bob@x.io", "cookie_id:k1", "device_id:d1"
    world.ingest(ann, k1, first_name="Ann")
    world.ingest(bob, d1, first_name="Bob")
    world.ingest(bob, k1, first_name="Bob")
    world.ingest(ann, "device_id:p1")
    world.ingest(bob, "device_id:p2")
    world.ingest("device_id:p1", "device_id:p2")
    assert world.state()["answered"] == [(k1, bob, "o6")]
    world.stewards.split_profile(
        world.identity.lookup(ann).id,
        groups=[[ann, k1, bob, d1], ["device_id:p1", "device_id:p2"]],
        reason="r",
        actor="s",
    )
    world.erase("device_id:p1")
    return ann, bob, k1, d1


def test_an_item_the_erased_persons_record_answered_names_it_by_its_fingerprint(
    world: World,
) -> None:
    """The record that answered the item carried only the person and went with them; its ID
    is kept only as a fingerprint (a record ID may be an e-mail address), so the item names
    it so, as the `merge` entries of the audit log do, and a steward asking to accept or
    reject the item is told that, not the ID."""
    _, bob, k1, _ = _answered_through_the_person(world)

    item = world.store.list_review_items(ReviewFilter("answered", 0, 10)).items[0]
    assert (item.a, item.b) == (k1, bob)
    assert item.answered_by == unnamed_observation("o6")
    with pytest.raises(InvalidInput, match=r"answered, not open: erased observation [0-9a-f]"):
        world.stewards.resolve_review_item(item.id, False, reason="r", actor="s")


@open_finding(
    "open, T's family, needs a product decision: the erased person's record joined Ann's "
    "and Bob's profiles and so answered their item; the erasure leaves their profile as it is, "
    "but a replay has no record joining them, keeps them two profiles and the item open",
)
def test_an_item_the_erased_persons_record_answered_stays_answered_in_a_replay(
    world: World,
) -> None:
    """Live, Ann and Bob stay one profile after the erasure ("other people's profiles are left
    as they are") and the item stays answered; the split that kept them together is not
    re-applied ("its one part left after an erasure is in several profiles now")."""
    ann, bob, _, _ = _answered_through_the_person(world)
    live = world.state()

    assert world.identity.lookup(ann).id == world.identity.lookup(bob).id
    assert world.rebuilt() == live


@open_finding(
    "open, T's family, needs a product decision: a kept record of others answered an item "
    "by joining a profile whose end the erased person had tied to it; replayed, the end is not "
    "in that profile, so the record answers nothing and the item stays open",
)
def test_an_item_answered_through_a_profile_the_erased_person_joined_stays_answered(
    world: World,
) -> None:
    """Ann's record tied her cookie k1 and her device d2 to her email (its anchor); Bob's record
    quarantined k1 and held k1-bob; Cy's record of d2 and Bob's d1 joined Ann's and Bob's
    profiles and answered the item. The split keeps everything but Ann's email together (k1
    joined to Bob by the answered link), and Ann is erased: live, k1 stays in Bob's profile
    and the item answered by o4. Replayed, Ann's record links nothing (its anchor went), so
    k1 is apart from d2, o4 joins d2 and d1 only, and k1-bob stays held and open."""
    ann, bob, k1, d1, d2 = (
        "email:ann@x.io",
        "email:bob@x.io",
        "cookie_id:k1",
        "device_id:d1",
        "device_id:d2",
    )
    world.ingest(ann, k1, d2, first_name="Ann")
    world.ingest(bob, d1, first_name="Bob")
    world.ingest(bob, k1, first_name="Bob")
    world.ingest(d2, d1)
    world.stewards.split_profile(
        world.identity.lookup(bob).id, groups=[[ann], [k1, d2, bob, d1]], reason="r", actor="s"
    )
    world.erase(ann)
    live = world.state()

    assert live["answered"] == [(k1, bob, "o4")]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_split_part_keeps_its_creation_in_a_migration_past_erased_records(
    world: World,
) -> None:
    """The eighth hunt's U (seed 2): the part of a split keeping the profile's ID keeps the
    creation the decision saw (N), a source log position: o2's, 2. The erasure removed o1 and
    o3, so the migration's log has o2 at 1 and o4, which created C1's profile, at 2: the
    creations tied, and the merge of the two profiles by o5 kept the smaller ID, C1's, where
    the source kept the older profile's. The decision is carried with the target's positions."""
    world.ingest("user_id:U1", "email:e1@x.io")
    world.ingest("email:e0@x.io", "user_id:U2", "device_id:d1")
    world.ingest("email:e1@x.io", "cookie_id:k1")
    world.ingest("cookie_id:k2", "crm_id:C1")
    world.split("email:e0@x.io", ("device_id:d1", "user_id:U2"))
    world.ingest("email:e0@x.io", "email:e1@x.io", "cookie_id:k2")
    world.erase("email:e1@x.io")
    live = world.state()

    assert list(live["aliases"]) == [world.identity.lookup("email:e0@x.io").id]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_records_sent_after_a_split_cut_an_answered_link_leave_the_item_answered(
    world: World,
) -> None:
    """After a record answered the item k1-bob, a split cut k1 off Ann and Bob. Later records
    send k1 and then Bob with a new user ID: k1 is still quarantined, so its link is held for
    review, U9 joins Bob, and the answered item stays answered by its record with its link
    cut (no item opens on the pair again), live as in the replay."""
    ann, bob, k1, u9 = "email:ann@x.io", "email:bob@x.io", "cookie_id:k1", "user_id:U9"
    world.ingest(ann, k1, first_name="Ann")
    world.ingest(bob, "device_id:d1", first_name="Bob")
    world.ingest(bob, k1, first_name="Bob")
    world.ingest(ann, "device_id:d1")
    world.split(k1, (k1, bob), (k1, ann))
    world.ingest(k1, u9)
    world.ingest(bob, u9)
    live = world.state()

    assert world.identity.lookup(k1).id != world.identity.lookup(bob).id
    assert live["answered"] == [(k1, bob, "o4")]
    assert (k1, bob, "crm", "cut") in live["evidence"]
    assert live["review"] == [(k1, u9)]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_an_answered_pair_a_split_by_groups_keeps_apart_stays_answered(world: World) -> None:
    """A split by groups puts the answered pair's ends in two parts, cutting the pair's link
    (a cannot-link between its ends): the pair sent again is held without a new item, and the
    item stays answered, live as in the replay."""
    ann, bob, k1, d1 = "email:ann@x.io", "email:bob@x.io", "cookie_id:k1", "device_id:d1"
    world.ingest(ann, k1, first_name="Ann")
    world.ingest(bob, d1, first_name="Bob")
    world.ingest(bob, k1, first_name="Bob")
    world.ingest(ann, d1)
    profile = world.identity.lookup(ann).id
    world.stewards.split_profile(profile, groups=[[k1], [ann, bob, d1]], reason="r", actor="s")
    world.ingest(bob, k1, first_name="Bob")
    live = world.state()

    assert live["answered"] == [(k1, bob, "o4")]
    assert live["review"] == []
    assert world.review_history() == [(k1, bob, "answered")]
    assert world.migrated() == live
    assert world.rebuilt() == live
