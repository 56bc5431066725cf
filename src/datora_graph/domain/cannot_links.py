"""Cannot-link constraints as a store keeps them: two identifiers a steward said must never be
in one profile. Read back in bulk to carry them from one store to another (`migrate.py`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

_NAMED = re.compile(r"^cannot-link: constraint #(\d+) ")


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
    """The reason a link held by constraint `constraint_id` gives, in its review item: an
    erasure reads the constraint back from it (`constraint_named`), so both live here."""
    return f"cannot-link: constraint #{constraint_id} keeps these identifiers apart"


def constraint_named(reason: str) -> int | None:
    """The constraint a held link's `reason` names (`cannot_link_reason`); None for another
    guard's reason."""
    found = _NAMED.match(reason)
    return int(found.group(1)) if found else None
