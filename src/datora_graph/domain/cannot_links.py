"""Cannot-link constraints as a store keeps them: two identifiers a steward said must never be
in one profile. Read back in bulk to carry them from one store to another (`migrate.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CannotLink:
    """`a` < `b` (identifier keys); `id` is the store's own and not carried over."""

    id: int
    a: str
    b: str
    reason: str
    created_at: datetime
