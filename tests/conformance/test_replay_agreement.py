"""A rebuild and a migration reproduce the live graph after steward decisions and erasures:
the same profiles under the same IDs and aliases, the same evidence statuses, the same open
review items and the same items the graph answered, by the same records. Each case is a
sequence a hypothesis hunt over ingest, split, merge, review, undo and erasure found
diverging, cut down to its few steps."""

from __future__ import annotations

import json

from datora_graph.domain.profiles import ReviewFilter
from datora_graph.domain.record_marks import UNLINKED

from .replay_world import World


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
