"""Cannot-link constraints as a store keeps them: two identifiers a steward said must never be
in one profile. Read back in bulk to carry them from one store to another (`migrate.py`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from datora_graph.domain.profiles import ReviewItem

_NAMED = re.compile(r"^cannot-link: constraint #(\d+) ")
"""`cannot_link_reason`'s words, read back only for items stored without `constraint_id`."""


@dataclass(frozen=True, slots=True)
class CannotLink:
    """`a` < `b` (identifier keys); `id` is the store's own and not carried over."""

    id: int
    a: str
    b: str
    reason: str
    created_at: datetime


Side = tuple[int, int]
"""`(constraint ID, side)`: side 0 is the constraint's `a`, side 1 its `b`."""


def facing_constraint(left: Iterable[Side], right: Collection[Side]) -> int | None:
    """The first constraint, in `left`'s order, with one side among `left` and the other among
    `right` (the sides of two profiles, or of two identifiers): they must stay apart. None
    when no constraint stands between them."""
    for constraint_id, side in left:
        if (constraint_id, 1 - side) in right:
            return constraint_id
    return None


def cannot_link_reason(constraint_id: int) -> str:
    """The reason, in words for a steward, a link held by constraint `constraint_id` gives in
    its review item; the item keeps the ID itself too (`ReviewItem.constraint_id`)."""
    return f"cannot-link: constraint #{constraint_id} keeps these identifiers apart"


ERASED_CONSTRAINT_REASON = (
    "cannot-link: a steward's constraint kept these identifiers apart; an erasure has since "
    "removed it with the person it named"
)
"""The reason of a review item whose constraint went with an erased person's identifiers:
the item names no constraint any more (its ID may be given to another), and the words name
none either, so nothing reads one back from them (`held_by_constraint`)."""


def held_by_constraint(item: ReviewItem) -> int | None:
    """The cannot-link constraint that held `item`'s link, None when another guard held it.

    Read from the item's `constraint_id`. An item a store kept before items recorded it has
    none: for those alone (guard `cannot_link`), the ID is read back from the reason
    `cannot_link_reason` gave, the one place a reason is parsed; a reason reworded since
    names no constraint."""
    if item.constraint_id is not None:
        return item.constraint_id
    if item.guard != "cannot_link":
        return None
    found = _NAMED.match(item.reason)
    return int(found.group(1)) if found else None
