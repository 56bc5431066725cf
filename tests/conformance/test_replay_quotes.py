"""After an erasure, no copy of a steward decision's reason quoting the person stays live:
the cannot-links a split made, the resolution of the review items a decision closed; and a
rebuild and a migration end with the same texts (`World.reasons`)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from datora_graph.domain.erasure_decisions import REDACTED_REASON
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.steward_changes import merged_reason, split_reason
from datora_graph.steward_unsplit import unsplit_reason
from datora_graph.store.sqlite import SqliteStore

from .replay_world import World

QUOTE = "kiosk shared with e0@x.io"


def _quotes(texts: object) -> bool:
    return "e0@x.io" in repr(texts)


def _agrees_without_quotes(world: World) -> dict[str, list[tuple[str, ...]]]:
    """Live quotes e0 nowhere a steward reads a reason, and a migration and a rebuild end
    with live's state and texts. Answers live's texts."""
    live, reasons = world.state(), world.reasons()
    assert not _quotes(reasons)
    assert not _quotes(world.held_items())
    assert world.migrated() == live
    assert world.migrated(world.reasons) == reasons
    assert world.rebuilt() == live
    assert world.reasons() == reasons
    return reasons


def _accepted_item_agrees(world: World, resolution: str) -> None:
    """The one accepted item's resolution is `resolution`, live and in a replay."""
    [item] = world.store.list_review_items(ReviewFilter("accepted", 0, 10)).items
    assert item.resolution == resolution
    _agrees_without_quotes(world)


def _split_quoting_the_person(world: World) -> str:
    """e0 alone in a profile; k1 and U1 in another, split apart by a steward quoting e0 (the
    split names none of e0's identifiers); later records join d1 to k1's part and link it to
    U1, a link the split's cannot-link holds. Answers the split's ID."""
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1", "user_id:U1")
    profile = world.identity.lookup("user_id:U1").id
    split = world.stewards.split_profile(
        profile, cut_edges=[("cookie_id:k1", "user_id:U1")], reason=QUOTE, actor="s"
    )
    world.ingest("cookie_id:k1", "device_id:d1")
    world.ingest("user_id:U1", "device_id:d1")
    assert _quotes(world.reasons()["cannot_links"]), "the premise: the split's links quote e0"
    return split.id


def test_a_split_quoting_the_erased_person_keeps_no_quote_in_its_cannot_links(
    world: World,
) -> None:
    """Each cannot-link the split made keeps its `split …: ` prefix (a merge-back finds
    them by it) with the redacted reason after it, as the re-applied redacted split writes
    it; the item the constraint holds names the constraint, not the reason."""
    split_id = _split_quoting_the_person(world)
    world.erase("email:e0@x.io")
    assert world.state()["held_by"], "the later link is held by the split's constraint"

    assert world.store.get_decisions([split_id])[split_id].reason == REDACTED_REASON
    reasons = _agrees_without_quotes(world)
    assert {c[2] for c in reasons["cannot_links"]} == {split_reason(split_id, REDACTED_REASON)}


def test_a_merge_back_of_a_split_quoting_the_erased_person_still_deletes_its_links(
    world: World,
) -> None:
    """The rewritten cannot-links still carry the split's prefix: a merge they refuse tells
    the steward which split to undo, without the quote, and its merge-back after the erasure
    deletes them, live and in a replay."""
    split_id = _split_quoting_the_person(world)
    world.erase("email:e0@x.io")
    with pytest.raises(InvalidInput) as refused:
        world.stewards.merge_profiles("cookie_id:k1", "user_id:U1", reason="r", actor="s")
    assert f"({split_reason(split_id, REDACTED_REASON)})" in str(refused.value)
    undo = world.stewards.undo_decision(split_id, reason="r", actor="s")
    assert undo.details.get("merged_back"), "the premise: d1 reached k1's part after the split"

    assert _agrees_without_quotes(world)["cannot_links"] == []


def test_the_item_a_merge_back_quoting_the_erased_person_accepted_keeps_no_quote(
    world: World,
) -> None:
    """The merge-back, quoting e0, accepts the item its split's constraint held (`undo of
    split …: …`): the resolution keeps the split's ID with the redacted reason."""
    split_id = _split_quoting_the_person(world)
    world.stewards.undo_decision(split_id, reason=QUOTE, actor="s")
    world.erase("email:e0@x.io")
    _accepted_item_agrees(world, unsplit_reason(split_id, REDACTED_REASON))


def test_the_items_a_merge_quoting_the_erased_person_accepted_keep_no_quote(
    world: World,
) -> None:
    """C1's link to C2 is held (two CRM numbers); the steward's merge quoting e0 accepts it
    (`merged by decision …: …`). Its resolution keeps the merge's ID with the redacted
    reason, as the re-applied redacted merge writes it."""
    world.ingest("email:e0@x.io")
    world.ingest("crm_id:C2", "cookie_id:k3", "crm_id:C1")
    merge = world.stewards.merge_profiles("cookie_id:k3", "crm_id:C2", reason=QUOTE, actor="s")
    assert _quotes(world.reasons()["review"]), "the premise: the item's resolution quotes e0"
    world.erase("email:e0@x.io")
    _accepted_item_agrees(world, merged_reason(merge.id, REDACTED_REASON))


def test_an_item_a_steward_accepted_quoting_the_erased_person_keeps_no_quote(
    world: World,
) -> None:
    """A steward accepts a held item (two CRM numbers linked by k1) quoting e0: the item's
    own resolution is the redacted reason, live and in a replay."""
    world.ingest("email:e0@x.io")
    world.ingest("crm_id:C1", "cookie_id:k1")
    world.ingest("crm_id:C2", "cookie_id:k1")
    [held] = world.store.list_review_items(ReviewFilter("open", 0, 10)).items
    world.stewards.resolve_review_item(held.id, True, reason=QUOTE, actor="s")
    assert _quotes(world.reasons()["review"]), "the premise: the item's resolution quotes e0"
    world.erase("email:e0@x.io")
    _accepted_item_agrees(world, REDACTED_REASON)


def test_the_must_link_of_a_merge_quoting_the_erased_person_keeps_no_quote(
    world: World,
) -> None:
    """A must-link's reason is its merge's, which no read of the port serves: read from the
    embedded store's table, it is the redacted reason, as a replay writes it."""
    if not isinstance(world.store, SqliteStore):
        pytest.skip("must-links are read from the embedded store's table")
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1")
    world.ingest("user_id:U1")
    world.stewards.merge_profiles("cookie_id:k1", "user_id:U1", reason=QUOTE, actor="s")
    world.erase("email:e0@x.io")

    with closing(sqlite3.connect(world.store.path)) as db:
        reasons = [row[0] for row in db.execute("SELECT reason FROM must_link")]
    assert reasons == [REDACTED_REASON]
