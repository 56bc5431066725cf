"""A rebuild and a migration leave answered the review items the live graph answered, by the
same records, after splits, undos and erasures. Each case is one a replay hunt found, cut down to
its few steps."""

from __future__ import annotations

import pytest

from datora_graph.domain.erasure import unnamed_observation
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import ReviewFilter

from .replay_world import World, open_finding


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
    "open, T's family: the erased person's record joined Ann's and Bob's profiles and so "
    "answered their item; the erasure leaves their profile as it is, but the record goes whole, "
    "leaving no place for `_answered_here`: a replay keeps them two profiles and the item open",
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


def test_an_item_the_erased_persons_kept_record_answered_stays_answered_in_a_replay(
    world: World,
) -> None:
    """The hunt's seed 3, cut down: Bob's record tied his email e0 to the phone; Ann's record
    of the phone and U1 quarantined the phone (a name conflict) and held phone-U1, which her
    record keeps as found live (`_name_checked_here`); e0 with U1 joined the profiles and
    answered the item. A split cuts e0 off and e0 is erased: live, the phone and U1 stay one
    profile, the item answered by o3. Unlike the test above, the answering record is kept
    (rewritten to U1 alone), so the erasure marks it with the answer (`_answered_here`, the
    phone and U1), which shows nothing live does not; without it a replay met the phone and U1
    as two profiles. With it the replay merges them at o3, answering the item there."""
    e0, phone, u1 = "email:e0@x.io", "phone:+14155552671", "user_id:U1"
    world.ingest(e0, phone, first_name="Bob")
    world.ingest(phone, u1, first_name="Ann")
    world.ingest(e0, u1)
    world.split(e0, (e0, phone), (e0, u1))
    world.erase(e0)
    live = world.state()

    assert live["answered"] == [(phone, u1, "o3")]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_an_item_answered_through_a_profile_the_erased_person_joined_stays_answered(
    world: World,
) -> None:
    """Ann's record tied her cookie k1 and her device d2 to her email (its anchor); Bob's record
    quarantined k1 and held k1-bob; Cy's record of d2 and Bob's d1 joined Ann's and Bob's
    profiles and answered the item. The split keeps everything but Ann's email together (k1
    joined to Bob by the answered link), and Ann is erased: live, k1 stays in Bob's profile
    and the item answered by o4. Replayed, Ann's record links nothing (its anchor went), so
    k1 is apart from d2 and o4 joins d2 and d1 only; its `_answered_here` mark (k1 and Bob's
    email, which o4 does not carry) merges k1's profile in there, answering the item by o4."""
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
