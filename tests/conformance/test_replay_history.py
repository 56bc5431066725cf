"""A rebuild and a migration give the same aliases, profile creations and merge history as
the live graph after steward decisions and erasures: each case a replay hunt found, cut down to
its few steps (the World helper is in replay_world.py)."""

from __future__ import annotations

from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.erasure_decisions import (
    KEPT_MERGES,
    OWN_MERGES,
    REDACTED_BY,
    REDACTED_REASON,
)

from .replay_world import World, open_finding


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


def test_a_profile_live_never_had_leaves_no_merge_note_in_a_replay(world: World) -> None:
    """AA, I's shape in its merge history: live, e0's profile was absorbed into C1's (the
    erasure deleted that note with C1's profile); replayed, o3 merged the device's new profile
    into e0's, and the split, giving the part no alias of it as live, deletes its note too."""
    world.ingest("email:e0@x.io")
    world.ingest("device_id:d1", "crm_id:C1")
    world.ingest("email:e0@x.io", "device_id:d1")
    world.split("crm_id:C1", ("crm_id:C1", "device_id:d1"))
    world.erase("crm_id:C1")
    live = world.state()
    assert live["merges"] == {}

    assert world.migrated() == live
    assert world.rebuilt() == live


@open_finding(
    "open, live: a split moves an alias to the part holding its identifiers, but the note of "
    "the merge that made it stays keyed to the survivor's ID, in the other part's history"
)
def test_a_merge_note_follows_its_alias_into_the_part_a_split_gives_it(world: World) -> None:
    """Live, not a replay: o3 merged e0's profile into C1's (e0's ID an alias); the split put
    e0 and the device in a new part, with the alias. The note about that alias stays in C1's
    history (`merge_history` keys notes by survivor), where the alias no longer resolves, and
    the part it resolves to lists none. Should the note follow its alias (a product decision,
    and the erasure, which deletes the notes of the erased profile's survivor ID, would
    follow)? Not AA: no alias is dropped, so deleting notes fixes nothing here."""
    world.ingest("email:e0@x.io")
    world.ingest("device_id:d1", "crm_id:C1")
    world.ingest("email:e0@x.io", "device_id:d1")
    world.split("crm_id:C1", ("crm_id:C1", "device_id:d1"))
    part = world.identity.lookup("email:e0@x.io").id
    [alias] = world.state()["aliases"][part]

    history = world.merges()

    assert world.identity.lookup("crm_id:C1").id not in history
    assert [m.absorbed for m in history.get(part, [])] == [alias]


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


def test_the_merge_note_of_a_merge_back_stays_after_the_device_is_erased(world: World) -> None:
    """AB, I's alias case in its merge history: live, e0's profile keeps the undo's note (the
    first split's part absorbed, `undo of split …`). Replayed, the erasure left the split one
    part and the merge-back nothing to merge: it writes the note of the part it took alone,
    as live wrote it, and the later split makes the part ID an alias again."""
    _erase_the_device_split_off_after_a_merge_back(world)
    live = world.state()
    assert live["merges"], "the merge-back's note"
    [undo] = [d for d in world.stewards.all_decisions() if d.kind == "undo"]
    assert len(undo.details[OWN_MERGES]) == 1, "kept in the merge-back, which writes it again"

    assert world.migrated() == live
    assert world.rebuilt() == live


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


def test_a_merge_the_erased_email_decided_keeps_its_survivor_in_the_merge_history(
    world: World,
) -> None:
    """AC, N's shape in its merge history: live, o4 merged C1's profile into U1's (three
    identifiers against two), and that note, kept on U1's ID, came to C2's profile with it at
    o5. Replayed without e1 the sizes tie and C1's older profile survives o4; the re-applied
    split, giving U1's part the split profile's ID again, turns the note back the way live
    wrote it (`reverse_merges`), rather than deleting it with the alias it drops (AA)."""
    _erase_the_email_that_made_u1s_profile_the_larger(world)
    world.ingest("crm_id:C2", "user_id:U1")
    live = world.state()

    assert world.rebuilt() == live


def _erase_the_crm_number_that_merged(world: World) -> None:
    """AK's shape: o4 merged e0's profile into the phone's through C1, split off and erased."""
    world.ingest("email:e0@x.io")
    world.ingest("phone:+14155552671")
    world.ingest("phone:+14155552671", "crm_id:C1")
    world.ingest("crm_id:C1", "email:e0@x.io")
    world.split("crm_id:C1", ("crm_id:C1", "email:e0@x.io"), ("crm_id:C1", "phone:+14155552671"))
    world.erase("crm_id:C1")


def test_the_note_of_a_merge_the_erased_crm_number_made_stays_in_a_replay(world: World) -> None:
    """The hunt's seed 8 (AK): o4 merged e0's profile into the phone's, C1 tying them; the
    split gave e0 a part with e0's old profile ID as its alias, and the erasure took C1. Live
    the note stays (under the phone's profile, its survivor); replayed, o4 carries e0 alone
    and merges nothing, and the split restores the alias from its record of live, and the
    note, under o4, from the notes the erasure kept in the split (`KEPT_MERGES`)."""
    _erase_the_crm_number_that_merged(world)
    live = world.state()
    assert live["merges"], "the note of o4's merge"

    assert world.rebuilt() == live


def test_notes_made_at_the_same_time_keep_their_log_order_in_a_replay(world: World) -> None:
    """The hunt's AP (seed 3, once AO was fixed): AK's shape, with o6 observed at the same
    time as o5 merging k1's profile into the phone's too. Live noted o5's merge first; a
    replay writes o5's note at the split (its record carries e0 alone now), after o6's. Merges
    at the same time are listed in log order, not in the order a store wrote them."""
    world.ingest("email:e0@x.io")
    world.ingest("phone:+14155552671")
    world.ingest("cookie_id:k1")
    world.ingest("phone:+14155552671", "crm_id:C1")
    world.ingest("crm_id:C1", "email:e0@x.io", minute=30)
    world.ingest("phone:+14155552671", "cookie_id:k1", minute=30)
    world.split("crm_id:C1", ("crm_id:C1", "email:e0@x.io"), ("crm_id:C1", "phone:+14155552671"))
    world.erase("crm_id:C1")
    live = world.state()
    [notes] = live["merges"].values()
    assert [note.observation_id for note in notes] == ["o5", "o6"]

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_note_the_erasure_kept_goes_with_a_later_erasure_of_its_profile(world: World) -> None:
    """AK's shape, then e0's erasure: live deletes the note, e0's old ID being an alias of
    its part; the split keeps the note no longer (`KEPT_MERGES`), and no replay writes it."""
    _erase_the_crm_number_that_merged(world)
    [kept] = [d.details[KEPT_MERGES] for d in world.stewards.all_decisions()]
    assert [note["observation_id"] for note in kept] == ["o4"]
    world.erase("email:e0@x.io")
    live = world.state()
    assert not live["merges"], "the note went with e0's part"
    assert [d.details[KEPT_MERGES] for d in world.stewards.all_decisions()] == [[]]

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_the_note_of_a_steward_merge_the_erasure_deleted_stays_in_a_replay(world: World) -> None:
    """The hunt's seed 7 (AL): the device's part of the first split (d1 alone, its ID kept
    when e0's part was erased) was merged into the phone's by a steward; d1 split off again
    and erased, the merge decision went with the person, but its note stayed, the part's ID
    being an alias of the phone's profile still. Replayed, the alias comes back with the
    split, and the note with it, under the deleted decision's ID as live has it."""
    world.ingest("email:e0@x.io")
    world.ingest("phone:+14155552671")
    world.ingest("device_id:d1", "email:e0@x.io", "email:e1@x.io")
    world.split("email:e0@x.io", ("device_id:d1", "email:e0@x.io"))
    world.erase("email:e0@x.io")
    world.stewards.merge_profiles("device_id:d1", "phone:+14155552671", reason="r", actor="s")
    world.split("phone:+14155552671", ("device_id:d1", "phone:+14155552671"))
    world.erase("device_id:d1")
    live = world.state()
    assert live["merges"], "the steward merge's note"

    assert world.rebuilt() == live


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


def test_a_steward_merge_into_the_erased_profile_leaves_no_note_in_a_replay(world: World) -> None:
    """The hunt's AN (seed 13): a steward merged C1's profile into the person's (e0 and e1,
    with C2's profile absorbed), the split took C1 and C2 off again (the person's part, the
    larger, kept the ID), and the erasure took e0's profile and the note, its survivor.
    Replayed, the redacted merge has C2 stand in for e0 and merges C2's profile with C1's,
    which live never noted: it writes the notes live kept of it (`OWN_MERGES`), none here."""
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.ingest("crm_id:C2")
    world.ingest("email:e0@x.io", "crm_id:C2")
    world.ingest("crm_id:C1")
    world.stewards.merge_profiles("email:e0@x.io", "crm_id:C1", reason="r", actor="s")
    profile = world.identity.lookup("email:e0@x.io").id
    groups = [["email:e0@x.io", "email:e1@x.io"], ["crm_id:C2"], ["crm_id:C1"]]
    world.stewards.split_profile(profile, groups=groups, reason="r", actor="s")
    world.erase("email:e0@x.io")
    live = world.state()
    assert live["merges"] == {}
    [merge] = [d for d in world.stewards.all_decisions() if d.kind == "manual_merge"]
    assert merge.details[OWN_MERGES] == []

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_merge_back_notes_only_the_profile_it_absorbed_live(world: World) -> None:
    """The hunt's AM (seed 3): o5 merged e1's part of the split into C1's profile (the part's
    ID an alias), and the merge-back took C1's profile in (its note); C1, split off again
    with its profile's ID, was erased, and the note with it. Replayed without C1, o5 merges
    nothing, and the merge-back absorbed e1's part itself, noting a merge live never made:
    it writes the notes live kept of it, none here, and the part's ID stays an alias with
    no note, as live."""
    world.ingest("email:e0@x.io")
    world.ingest("crm_id:C1")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    split = world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    world.ingest("crm_id:C1", "email:e1@x.io")
    world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.split("crm_id:C1", ("crm_id:C1", "email:e1@x.io"))
    world.erase("crm_id:C1")
    live = world.state()
    assert live["aliases"], "e1's part's ID, an alias of e0's profile"
    assert live["merges"] == {}

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_merge_back_s_notes_keep_live_s_order_in_a_replay(world: World) -> None:
    """The hunt's AS (seed 21): the merge-back noted both parts of the split at one moment,
    in the order it merged them; the erasure kept the notes (`OWN_MERGES`) sorted by profile
    ID, and a replay listed them so, against live's order whenever the random part IDs sorted
    the other way (part IDs come from random decision IDs: without the fix this fails about
    one run in four, not every run). They are kept in live's order now."""
    world.ingest("email:e0@x.io")
    world.ingest("email:e0@x.io", "email:e1@x.io")
    world.ingest("email:e0@x.io", "phone:+14155552671", "email:e1@x.io")
    pairs = [("email:e0@x.io", "email:e1@x.io"), ("email:e0@x.io", "phone:+14155552671")]
    split = world.split("email:e0@x.io", *pairs)
    world.ingest("email:e0@x.io", "email:e1@x.io", "phone:+14155552671")
    undo = world.stewards.undo_decision(split.id, reason="r", actor="s")
    world.split("email:e0@x.io", ("email:e0@x.io", "email:e1@x.io"))
    world.ingest("email:e0@x.io")
    world.erase("email:e1@x.io")
    live = world.state()
    [notes] = live["merges"].values()
    [kept] = [d for d in world.stewards.all_decisions() if d.id == undo.id]
    assert [n["absorbed"] for n in kept.details[OWN_MERGES]] == [n.absorbed for n in notes]

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_record_notes_its_merges_under_the_survivor_live_had_after_the_erasure(
    world: World,
) -> None:
    """The hunt's AO (seed 3, once AM and AN were fixed): d1 made e1's profile the larger, so
    o4 merged e0's and the phone's into it live; d1 split off and erased, a replay merged
    them into e0's, the oldest. The split turns the note of e1's profile back (AC), and now
    writes the phone's as live has it, in place of the replay's (the phone's ID is an alias
    it keeps, and the erasure kept live's note in it)."""
    world.ingest("email:e0@x.io")
    world.ingest("email:e1@x.io", "device_id:d1")
    world.ingest("phone:+14155552671")
    world.ingest("email:e0@x.io", "email:e1@x.io", "phone:+14155552671")
    world.split("device_id:d1", ("device_id:d1", "email:e1@x.io"))
    world.erase("device_id:d1")
    live = world.state()
    [notes] = live["merges"].values()
    assert {note.observation_id for note in notes} == {"o4"}
    assert len(notes) == 2

    assert world.rebuilt() == live
    assert world.migrated() == live


QUOTE = "same household as e0@x.io"


def _merge_quoting_the_person(world: World) -> str:
    """e0 alone in a profile; a steward merges k1's and U1's, quoting e0 in the reason, and
    e0 is erased. Answers the merge's ID."""
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1")
    world.ingest("user_id:U1")
    merge = world.stewards.merge_profiles("cookie_id:k1", "user_id:U1", reason=QUOTE, actor="s")
    world.erase("email:e0@x.io")
    return merge.id


def test_a_steward_merge_quoting_the_erased_person_keeps_no_quote_in_its_note(
    world: World,
) -> None:
    """The merge names none of e0's identifiers, so the erasure left it as it was, and its
    note (`steward merge: same household as e0@x.io`) and reason quoted e0 live. The note's
    reason is replaced whole, as a kept note's is (`scrubbed_reason`), the decision's and its
    audit entry's as a redacted decision's; the merge keeps its note (`OWN_MERGES`), which a
    replay writes, or it would note `steward merge: (redacted …)`."""
    merge_id = _merge_quoting_the_person(world)
    live = world.state()
    [notes] = live["merges"].values()
    assert [n.reason for n in notes] == [REDACTED_REASON]
    kept = world.store.get_decisions([merge_id])[merge_id]
    assert kept.reason == REDACTED_REASON
    assert REDACTED_BY not in kept.details, "only its reason changed: it can still be undone"
    assert [n["reason"] for n in kept.details[OWN_MERGES]] == [REDACTED_REASON]
    entries = world.store.list_audit(AuditFilter(subject=merge_id)).items
    assert [e.reason for e in entries] == [REDACTED_REASON]

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_merge_whose_quote_an_erasure_replaced_can_still_be_undone(world: World) -> None:
    """Only the merge's reason changed, not the state it left: undone, k1 and U1 are apart
    again and the note goes, live and in a replay."""
    merge_id = _merge_quoting_the_person(world)
    world.stewards.undo_decision(merge_id, reason="r", actor="s")
    live = world.state()
    assert live["merges"] == {}
    assert len(live["profiles"]) == 2

    assert world.rebuilt() == live
    assert world.migrated() == live


def test_a_merge_back_quoting_the_erased_person_keeps_no_quote_in_its_note(
    world: World,
) -> None:
    """As the steward merge, for a merge-back (d1 reached U1's part after the split) whose
    reason quotes e0: its note, `undo of split …: same household as e0@x.io`, is replaced."""
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1", "user_id:U1")
    split = world.split("user_id:U1", ("cookie_id:k1", "user_id:U1"))
    world.ingest("user_id:U1", "device_id:d1")
    undo = world.stewards.undo_decision(split.id, reason=QUOTE, actor="s")
    assert undo.details.get("merged_back")
    world.erase("email:e0@x.io")
    live = world.state()
    [notes] = live["merges"].values()
    assert [n.reason for n in notes] == [REDACTED_REASON]
    assert world.store.get_decisions([undo.id])[undo.id].reason == REDACTED_REASON

    assert world.rebuilt() == live
    assert world.migrated() == live
