"""A rebuild and a migration hold the same links apart as the live graph after erasures: limit
quarantines, name checks and cannot-links whose cause was erased. Each case is one a replay
hunt found, cut down to its few steps."""

from __future__ import annotations

from datora_graph.domain.profiles import ReviewFilter

from .replay_world import World


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


def test_a_link_a_limit_held_again_after_a_split_by_a_later_user_account_stays_held(
    world: World,
) -> None:
    """The hunt's AI: U1 held C1-U2 (two user IDs); the split cut U1 off, and U4's record
    brought a user account into C1's profile again, so C1 and U2 sent again were held live,
    by U4. U4, split off and erased, went from the log: the split had ended the span of
    records the erasure marks, so a replay linked C1 and U2 there. The item stayed open: the
    records up to its end kept their hold, and keep it now."""
    _held_again_by_a_later_user_account(world)
    world.erase("user_id:U4")
    live = world.state(), world.held_items()

    assert live[0]["review"] == [("crm_id:C1", "user_id:U2")]
    assert (world.rebuilt(), world.held_items()) == live
    assert world.migrated() == live[0]


def test_a_link_a_limit_held_again_after_a_split_is_held_only_up_to_its_answer(
    world: World,
) -> None:
    """AI with the item answered: once U4 was split off too, the last record linked C1 and
    U2 live. The records before it keep the hold, that one does not (a replay links there)."""
    _held_again_by_a_later_user_account(world)
    world.ingest("crm_id:C1", "user_id:U2")
    world.erase("user_id:U4")
    live = world.state()

    assert live["answered"] == [("crm_id:C1", "user_id:U2", "o5")]
    assert world.rebuilt() == live
    assert world.migrated() == live


def _held_again_by_a_later_user_account(world: World) -> None:
    """U1 held C1-U2, a split cut U1 off, U4 came and held C1-U2 again; U4 is split off."""
    world.ingest("crm_id:C1", "user_id:U1")
    world.ingest("crm_id:C1", "user_id:U2")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U1"))
    world.ingest("crm_id:C1", "user_id:U4")
    world.ingest("crm_id:C1", "user_id:U2")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U4"))


def test_a_link_a_limit_held_past_a_split_leaving_a_second_user_account_stays_held(
    world: World,
) -> None:
    """Also AI: a steward merge put U3 in C1's profile beside U1, so the split that cut U1
    off left a user account there, and C1 with U2 was held again, by U3. A split taking out
    one of what the guard counts no longer ends the span while the item is open."""
    world.ingest("crm_id:C1", "user_id:U1")
    world.ingest("user_id:U3")
    world.stewards.merge_profiles("crm_id:C1", "user_id:U3", reason="r", actor="s")
    world.ingest("crm_id:C1", "user_id:U2")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U1"))
    world.ingest("crm_id:C1", "user_id:U2")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U3"))
    world.erase("user_id:U3")
    live = world.state(), world.held_items()

    assert live[0]["review"] == [("crm_id:C1", "user_id:U2")]
    assert (world.rebuilt(), world.held_items()) == live
    assert world.migrated() == live[0]


def test_a_link_a_limit_held_before_a_steward_rejected_it_stays_held_after(
    world: World,
) -> None:
    """Also AI, with the item a steward closed: the reject made a cannot-link, which held
    the last record of C1 and U2 live and counts its join on U2. Ending the span at the
    reject left that record unmarked: replayed without U4, the constraint held it and the
    join went uncounted. The records up to the end keep the hold."""
    world.ingest("crm_id:C1", "user_id:U4")
    world.ingest("crm_id:C1", "user_id:U2")
    item = world.store.list_review_items(ReviewFilter("open", 0, 10)).items[0]
    world.stewards.resolve_review_item(item.id, accept=False, reason="r", actor="s")
    world.ingest("crm_id:C1", "user_id:U2")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U4"))
    world.erase("user_id:U4")
    live = world.state()

    assert live["joins"] == [("user_id:U2", 1)]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_a_limit_held_counts_no_join_where_a_steward_s_constraint_held_it_live(
    world: World,
) -> None:
    """The hunt's AJ: the item of C1 and U2 (two user IDs, by U4) a steward rejected, and a
    split cut U4 off before C1 and U2 came again, so live the reject's cannot-link held that
    record, which counts no hub join. The erasure marked it with the limit's hold (the span
    of a closed item runs to the end), and the replay, holding it for the limit, counted a
    join on U2. The mark now says whether the link counted one live (`joined`)."""
    world.ingest("crm_id:C1", "user_id:U4")
    world.ingest("crm_id:C1", "user_id:U2")
    item = world.store.list_review_items(ReviewFilter("open", 0, 10)).items[0]
    world.stewards.resolve_review_item(item.id, accept=False, reason="r", actor="s")
    world.split("crm_id:C1", ("crm_id:C1", "user_id:U4"))
    world.ingest("crm_id:C1", "user_id:U2")
    world.erase("user_id:U4")
    live = world.state()

    assert live["joins"] == []
    assert world.rebuilt() == live
    assert world.migrated() == live


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


def test_a_link_a_cannot_link_from_the_erased_number_held_stays_held(world: World) -> None:
    """The sixth hunt's R: the split cut C1 off e1, a cannot-link C1-e1; C1 then joined e0,
    so the record of e0 and e1 was held by that constraint (an open review item), and a
    second split cut C1 off e0. The erasure took C1 and its constraint with it: replayed,
    nothing kept e0 and e1 apart, and they merged, the link active. Like K's limit, only
    the person's identifier in an end's profile made the guard refuse; the erasure marks
    the record with the hold (`_held_here`) up to the split that took C1 out, as it does
    for a limit's."""
    _held_by_a_constraint_from_c1_then_cut_off(world)
    world.erase("crm_id:C1")
    live = world.state()

    assert live["review"] == [("email:e0@x.io", "email:e1@x.io")]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_a_cannot_link_held_counts_the_join_the_hub_bound_held_it_for_live(
    world: World,
) -> None:
    """AJ with R's hold: once the split cut C1 off e0, nothing but the hub bound refused e0
    and e1 again (e1 had joined two profiles), so live the record counted a third join on e1
    and quarantined it. The item stayed open, so the erasure marked the record with the
    cannot-link's hold, and the replay, holding it for the constraint, counted no join."""
    _held_by_a_constraint_from_c1_then_cut_off(world)
    world.ingest("crm_id:C2", "email:e1@x.io")
    world.ingest("user_id:U5", "email:e1@x.io")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.erase("crm_id:C1")
    live = world.state()

    assert live["joins"] == [("email:e1@x.io", 3)]
    assert live["quarantined"] == ["email:e1@x.io"]
    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_link_a_cannot_link_held_counts_the_join_a_name_conflict_held_it_for_live(
    world: World,
) -> None:
    """AJ with a name check: Ann's record met e1 in Bob's profile and quarantined it before
    linking, so live its link to e0 was held by that quarantine, which counts a join."""
    _held_by_a_constraint_from_c1_then_cut_off(world)
    world.ingest("email:e1@x.io", "user_id:U5", first_name="Bob")
    world.ingest("email:e0@x.io", "email:e1@x.io", first_name="Ann")
    world.erase("crm_id:C1")
    live = world.state()

    assert live["joins"] == [("email:e1@x.io", 2)]
    assert world.rebuilt() == live
    assert world.migrated() == live


def _held_by_a_constraint_from_c1_then_cut_off(world: World) -> None:
    """A split cut C1 off e1, C1 joined e0, so e0-e1 was held by that cannot-link (an open
    item); a second split cut C1 off e0."""
    world.ingest("crm_id:C1", "email:e1@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "email:e1@x.io"))
    world.ingest("crm_id:C1", "email:e0@x.io")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "email:e0@x.io"))


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


def test_a_hub_item_reads_as_the_quarantine_a_replay_holds_its_link_by(world: World) -> None:
    """The hunt's AQ (several erasures, seed 6, once texts were compared): k2 joined e0's
    profile and the phone's, split apart, and o6 with e1 would have made it join a fourth:
    held by the hub bound, k2 quarantined there. The erasure of e0 took a join; a replay
    quarantines k2 at o6's link by its mark and holds the link as a quarantine, whose item
    reads so. Live, the item read `hub: … would join 4 profiles` still: it reads as that
    quarantine now, guard too, and names no count of the erased person's profiles."""
    world.ingest("email:e0@x.io", "cookie_id:k1")
    world.ingest("cookie_id:k2")
    world.ingest("cookie_id:k2", "email:e0@x.io")
    world.ingest("cookie_id:k2", "phone:+14155552671")
    profile = world.identity.lookup("cookie_id:k2").id
    groups = [["cookie_id:k1"], ["email:e0@x.io"], ["cookie_id:k2", "phone:+14155552671"]]
    world.stewards.split_profile(profile, groups=groups, reason="r", actor="s")
    world.ingest("email:e1@x.io", "cookie_id:k2")
    [(a, b, guard, _, _)] = world.held_items()
    assert (a, b, guard) == ("cookie_id:k2", "email:e1@x.io", "hub")
    world.erase("email:e0@x.io")
    live = world.state()
    [(_, _, guard, reason, _)] = world.held_items()
    assert guard == "quarantine"
    assert reason.startswith("quarantine: cookie_id:k2 is quarantined (")

    held = world.held_items()
    assert world.migrated() == live
    assert world.migrated(world.held_items) == held
    assert world.rebuilt() == live
    assert world.held_items() == held


def test_an_item_held_by_a_kept_quarantine_quotes_no_name_of_the_erased_person(
    world: World,
) -> None:
    """The hunt's AR (several erasures, seed 6): Ann's record quarantined e0, whose profile
    held Bob's name twice (`… holds 'Bob', 'Bob'`, from two sources), and its item quoted
    that. The split took e1's record away, so the guard's reason read `… holds 'Bob'` once;
    the erasure of Bob's e1 replaced that reason inside the item's text, which left `, 'Bob')`
    there. The item now reads whole as the quarantine kept, as in a replay."""
    world.ingest("email:e0@x.io", source="web", first_name="Bob")
    world.ingest("email:e0@x.io", "email:e1@x.io", first_name="Bob")
    world.ingest("cookie_id:k1", first_name="Bob")
    world.ingest("cookie_id:k1", "email:e0@x.io", "crm_id:C1", first_name="Ann")
    world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    world.erase("email:e1@x.io")
    live = world.state()
    held = world.held_items()
    texts = [text for item in held for text in item[3:]]
    assert texts, "the items held by the kept quarantines"
    assert not [text for text in texts if "Bob" in text]

    assert world.migrated() == live
    assert world.migrated(world.held_items) == held
    assert world.rebuilt() == live
    assert world.held_items() == held
