"""A review item held by a cannot-link names its constraint in `constraint_id`; the reason is
read back only for an item stored before items recorded it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from datora_graph.domain.cannot_links import cannot_link_reason, held_by_constraint
from datora_graph.domain.profiles import ReviewItem

_AT = datetime(2026, 1, 1, tzinfo=UTC)


def _item(guard: str, reason: str, constraint_id: int | None = None) -> ReviewItem:
    item = ReviewItem(1, "held_link", "a", "b", "p1", "p2", reason, "o1", "open", _AT)
    return replace(item, guard=guard, constraint_id=constraint_id)


def test_the_constraint_is_read_from_the_item_whatever_its_reason_says() -> None:
    assert held_by_constraint(_item("cannot_link", cannot_link_reason(12), 12)) == 12
    assert held_by_constraint(_item("cannot_link", "[redacted]", 12)) == 12
    assert held_by_constraint(_item("cannot_link", cannot_link_reason(3), 12)) == 12


def test_an_item_stored_without_it_falls_back_to_its_reason() -> None:
    assert held_by_constraint(_item("cannot_link", cannot_link_reason(12))) == 12
    assert held_by_constraint(_item("cannot_link", "a steward keeps these apart")) is None


def test_another_guards_item_names_no_constraint() -> None:
    limit = "limit: the merge would give one profile 2 crm_id identifiers (at most 1 allowed)"
    assert held_by_constraint(_item("limit", limit)) is None
    assert held_by_constraint(_item("limit", cannot_link_reason(12))) is None
