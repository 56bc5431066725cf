"""What the store answers about profiles, journeys and the logs: read models, no behaviour."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Event, RecordKind, Rejection, encodable

MAX_PAGE_SIZE = 1000
MAX_POSITION = 2**63 - 1
"""The largest log or list position a store can hold (both stores keep 64-bit integers): a
larger `after` can only be a mistake, and is refused rather than passed to the store."""


@dataclass(frozen=True, slots=True)
class ProfileIdentifier:
    identifier: Identifier
    junk: bool
    first_seen: datetime
    quarantined: bool = False
    """A hub (a kiosk, a shared device, a family email): kept and shown, but linking nothing new."""


@dataclass(frozen=True, slots=True)
class GoldenProfile:
    """A resolved person: one connected component of identifiers, with golden attributes."""

    id: str
    attributes: Mapping[str, Any]
    size: int
    created_at: datetime
    updated_at: datetime
    identifiers: Sequence[ProfileIdentifier] = ()
    aliases: Sequence[str] = ()
    junk: bool = False


@dataclass(frozen=True, slots=True)
class JourneyQuery:
    """A page of a journey: events in time order, optionally filtered by type and time."""

    first: int = 50
    after: str | None = None
    types: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.first <= MAX_PAGE_SIZE:
            raise InvalidInput("first", f"must be between 1 and {MAX_PAGE_SIZE}")
        if self.after is not None:
            decode_cursor(self.after)


@dataclass(frozen=True, slots=True)
class JourneyPage:
    events: Sequence[Event]
    end_cursor: str | None
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class RejectionPage:
    items: Sequence[tuple[int, Rejection]]
    next_after: int | None


@dataclass(frozen=True, slots=True)
class StoreStats:
    observations: int
    events: int
    rejections: int
    identifiers: int
    profiles: int
    held_links: int
    open_review_items: int
    identifiers_by_type: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MergeRecord:
    """Profile `absorbed` joined `survivor` because of `observation_id` (observed at `at`)."""

    absorbed: str
    survivor: str
    observation_id: str
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A decision waiting for a data steward. `profile_a`/`profile_b` are the profiles that
    hold `a` and `b` now (not when the item was opened), so they always exist."""

    id: int
    kind: str
    a: str
    b: str
    profile_a: str
    profile_b: str
    reason: str
    observation_id: str
    status: str
    created_at: datetime
    guard: str = ""
    """Which guard held the link (limit, cannot_link, max_size, hub, quarantine)."""
    source: str = ""
    """The source of the observation whose link was held."""
    suggested_action: str = ""
    """`accept: ...` or `reject: ...`, with the reason a steward would give."""


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    status: str | None = "open"
    after: int = 0
    limit: int = 100
    touching: tuple[str, ...] | None = None
    """Only items with an identifier among these keys (a profile's, say); None: every item."""


@dataclass(frozen=True, slots=True)
class ReviewPage:
    items: Sequence[ReviewItem]
    next_after: int | None


@dataclass(frozen=True, slots=True)
class RejectionFilter:
    kind: RecordKind | None = None
    after: int = 0
    limit: int = 100

    def __post_init__(self) -> None:
        if not 0 <= self.after <= MAX_POSITION:
            raise InvalidInput("after", f"must be between 0 and {MAX_POSITION}")


def encode_cursor(*parts: str) -> str:
    """Opaque cursors: clients pass them back unchanged, so their shape can change freely.
    (Cursors written by `json.dumps`, with a space after each comma, still decode.)"""
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, RecursionError):  # not base64, not UTF-8, not JSON, or nested deep
        raise InvalidInput("after", "is not a cursor this service issued") from None
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise InvalidInput("after", "is not a cursor this service issued")
    if not all(encodable(p) for p in parts):  # JSON's \ud800 escapes; no store takes one
        raise InvalidInput("after", "is not a cursor this service issued")
    return parts
