"""A rebuild and a migration keep active, and count no hub join for, the links the live graph
made inside one profile, when the records that had joined that profile are erased. Each case is
one a replay hunt found, cut down to its few steps."""

from __future__ import annotations

import json

from datora_graph.domain.kept_links import KEPT_LINKS
from datora_graph.domain.record_marks import UNLINKED
from datora_graph.log_index import LogIndex

from .replay_world import World


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


def test_a_link_a_later_split_forbade_keeps_counting_no_join_after_the_erasure(
    world: World,
) -> None:
    """The replay hunt, seed 13 with W and Y fixed (AD): C1's record linked C1 to e0 (joining
    e0's profile, a join on e0) and then to k1, already in it: no join on k1. The splits cut
    k1 off and C1 off, leaving cannot-links C1-k1 and C1-e0, and the erasure took e0 and e1.
    The constraint on C1-k1 came after the record, so it held nothing there live: the erasure
    marks the link `_linked_here` all the same, and the rewritten record (C1, k1), meeting
    k1's profile in a replay, counts no join on k1, as live."""
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


def test_a_link_inside_the_erased_persons_profile_a_later_split_forbade_counts_no_join(
    world: World,
) -> None:
    """AD's fix read another way (a hunt biased toward several erasures, seed 9, on code
    without it): U1 had joined C1 and e0, so e0's record with C1 linked them inside one
    profile, no join counted. Two later splits cut C1 off, then e0 off U1, and the erasure
    took U1. The cannot-link C1-e0 came after the record: the erasure marks its link
    `_linked_here`, and the rewritten record (e0, C1), meeting two profiles in a replay,
    counts no join on e0, as live."""
    e0, c1, u1 = "email:e0@x.io", "crm_id:C1", "user_id:U1"
    world.ingest(c1, u1)
    world.ingest(e0, u1)
    world.ingest(e0, c1)
    world.split(c1, (c1, u1), (c1, e0))
    world.split(e0, (e0, u1))
    world.erase(u1)
    live = world.state()

    assert live["joins"] == []
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_an_earlier_split_forbade_stays_held_after_the_erasure(world: World) -> None:
    """The replay hunt, seed 8, which AD's first fix broke: d1's record joined e0 and e1;
    the splits cut d1 off, then e1 off e0, leaving a cannot-link e0-e1, so the next record of
    e0 and e1 was held live. The erasure of d1 leaves the sets it reads joining e0 and e1
    across the split; the constraint, made before the record, tells they were apart then:
    the record is not marked `_linked_here`, and a replay holds its link too."""
    e0, e1, d1 = "email:e0@x.io", "email:e1@x.io", "device_id:d1"
    world.ingest(e0)
    world.ingest(e0)
    world.ingest(e0, e1, d1)
    world.split(d1, (d1, e0))
    world.split(e0, (e0, e1))
    world.ingest(e0, e1)
    world.erase(d1)
    live = world.state()

    assert world.identity.lookup(e0).id != world.identity.lookup(e1).id
    index = LogIndex(world.store, world.identity.registry)
    (record,) = (json.loads(p) for _, p in index.observations_with({e1}) if '"o4"' in p)
    assert KEPT_LINKS not in record
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_a_split_held_until_its_merge_back_stays_held_after_the_erasure(
    world: World,
) -> None:
    """AF, seed 8's shape with the split of e1 off e0 merged back: the merge-back deleted
    its cannot-link e0-e1, which had held the record of e0 and e1 sent between (no review
    item: a cannot-link names the pair). The erasure of d1 saw no constraint and marked the
    record `_linked_here`, so a replay merged e0's part, grown larger, into e1's at that
    record, where live the merge-back kept the split profile's ID. The constraints of a split
    merged back count against the mark from the split up to its merge-back, as the replay
    holds them: the record sent after the merge-back is marked, the one before is not."""
    e0, e1, d1 = "email:e0@x.io", "email:e1@x.io", "device_id:d1"
    world.ingest(e0)
    world.ingest(e1, "cookie_id:k1")
    world.ingest(e1, "crm_id:C1")
    world.ingest(e0, e1, d1)
    world.split(d1, (d1, e0))
    split = world.split(e0, (e0, e1))
    for cookie in ("cookie_id:k2", "cookie_id:k3", "cookie_id:k4"):
        world.ingest(e0, cookie)
    world.ingest(e0, e1)
    undo = world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.ingest(e0, e1)
    world.erase(d1)
    live = world.state()

    assert undo.details["merged_back"]
    assert list(live["profiles"]) == [split.details["profile_id"]]
    index = LogIndex(world.store, world.identity.registry)
    records = {r["id"]: r for _, p in index.observations_with({e1}) for r in (json.loads(p),)}
    assert KEPT_LINKS not in records["o8"]
    assert KEPT_LINKS in records["o9"]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_held_between_a_split_and_its_merge_back_is_asked_after_the_erasure(
    world: World,
) -> None:
    """AF again: e0 and e1, held apart by the split's cannot-link until its merge-back, made
    the phone's link to e1 a review item (the phone was in e0's part), which the merge-back
    accepted. Marked `_linked_here`, the record of e0 and e1 merged them in a replay, and the
    phone's link was made inside one profile with no item at all."""
    e0, e1, d1, phone = "email:e0@x.io", "email:e1@x.io", "device_id:d1", "phone:+14155552671"
    world.ingest(e0)
    world.ingest(e0, e1, d1)
    world.split(d1, (d1, e0))
    split = world.split(e0, (e0, e1))
    world.ingest(e0, e1)
    world.ingest(e0, phone)
    world.ingest(e1, phone)
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.erase(d1)
    live = world.state(), world.review_history()

    assert live[1] == [(e1, phone, "accepted")]
    assert world.migrated() == live[0]
    assert (world.rebuilt(), world.review_history()) == live


def test_a_link_held_by_a_pair_through_the_erased_smallest_keeps_its_review_item(
    world: World,
) -> None:
    """AH, AF's edge: the split's part e0 kept had its smallest identifier in d1 (`device_id:`
    sorts before `email:`), so its cannot-links named d1-d2 and the cut link e0-e1; the
    first held the record of e0 and d2 sent before the merge-back with a review item, which
    the merge-back accepted. With d1 split off and erased, a replay worked the pairs out again
    from the redacted parts, where e0 is the smallest of its part: d2-e0 names that very link,
    held silently with no item, its evidence held for good. The erasure keeps in the redacted
    split the pairs it made live that no erased identifier is an end of (`with_kept_pairs`),
    which a replay writes; the record is not marked `_linked_here` either (its item was asked)."""
    e0, e1, d1, d2 = "email:e0@x.io", "email:e1@x.io", "device_id:d1", "device_id:d2"
    world.ingest(e0, d1)
    world.ingest(e1, d2)
    world.ingest(e0, e1)
    split = world.split(e0, (e0, e1))
    world.ingest(e0, d2)
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.split(d1, (d1, e0))
    world.erase(d1)
    live = world.state(), world.review_history()

    assert live[1] == [(d2, e0, "accepted")]
    index = LogIndex(world.store, world.identity.registry)
    records = {r["id"]: r for _, p in index.observations_with({d2}) for r in (json.loads(p),)}
    assert KEPT_LINKS not in records["o4"]
    assert world.migrated() == live[0]
    assert (world.rebuilt(), world.review_history()) == live


def test_a_link_held_by_a_cut_link_to_the_erased_keeps_its_review_item(world: World) -> None:
    """AH again, through a cut link: the split cut d1-e1 alone, the one cannot-link, which
    held the record of e0 and e1 (e0 in d1's part) with a review item the merge-back
    accepted. A replay wrote e0-e1 instead (the parts' smallest once d1 is gone) and held
    the link silently. No pair is left to keep, and with none the replay merged e0 and e1
    there: the erasure holds the link again (`_kept_holds`) as for a constraint of the
    person's the store still keeps, reading those the merge-back deleted from the split
    (`merged_back_constraints`)."""
    e0, e1, d1 = "email:e0@x.io", "email:e1@x.io", "device_id:d1"
    world.ingest(e0, d1)
    world.ingest(d1, e1)
    split = world.split(e0, (d1, e1))
    world.ingest(e0, e1)
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.split(d1, (d1, e0), (d1, e1))
    world.erase(d1)
    live = world.state(), world.review_history()

    assert live[1] == [(e0, e1, "accepted")]
    assert world.migrated() == live[0]
    assert (world.rebuilt(), world.review_history()) == live


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
