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
ANSWERED = "answered"
"""The status of a review item the graph answered: see `ReviewItem`."""
REVIEW_STATUSES = ("open", "accepted", "rejected", ANSWERED)
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
    """A page of a journey: events in time order, optionally filtered by type and time.

    Oldest first by default, ties broken by event ID; `newest_first` reverses both, so the
    latest events are one page rather than the last of many (`datora profile show`)."""

    first: int = 50
    after: str | None = None
    types: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    newest_first: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.first <= MAX_PAGE_SIZE:
            raise InvalidInput("first", f"must be between 1 and {MAX_PAGE_SIZE}")
        self.position()

    def position(self) -> tuple[str, str] | None:
        """The (occurred_at, event ID) the page starts after, from `after`; InvalidInput naming
        `after` if it is no journey cursor or one of the other order (its events would be
        skipped or repeated)."""
        if self.after is None:
            return None
        parts = decode_cursor(self.after)
        if len(parts) == 3 and parts[2] == _NEWEST_FIRST:
            newest_first = True
        elif len(parts) == 2:
            newest_first = False
        else:
            raise InvalidInput("after", "is not a journey cursor this service issued")
        if newest_first != self.newest_first:
            issued = "newest" if newest_first else "oldest"
            raise InvalidInput(
                "after", f"is a cursor of the {issued}-first order: page on in that order"
            )
        return parts[0], parts[1]

    def cursor(self, occurred_at: str, event_id: str) -> str:
        """The cursor after an event of a page of this query. Newest-first cursors name their
        order; oldest-first ones keep the shape cursors had before there was a choice, so
        those already handed out (and GraphQL's, which is oldest first) still work."""
        if self.newest_first:
            return encode_cursor(occurred_at, event_id, _NEWEST_FIRST)
        return encode_cursor(occurred_at, event_id)


_NEWEST_FIRST = "newest_first"


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
    hold `a` and `b` now (not when the item was opened), so they always exist.

    `status` is one of `REVIEW_STATUSES`: `open`, `accepted` or `rejected` by a steward, or
    `answered` by the graph: a later record joined the two ends' profiles by another path
    (`answered_by` names it), so nobody is asked about two identifiers already one profile."""

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
    answered_by: str = ""
    """The observation that answered the item (status `answered`), else empty."""
    constraint_id: int | None = None
    """The cannot-link constraint that held the link (guard `cannot_link`), else None; also
    None for an item a store kept before it recorded this (see `held_by_constraint`)."""
    resolution: str = ""
    """Why a steward's decision accepted or rejected it (`ReviewState.reason`: the steward's
    reason, or `merged by decision …: …` for an item a merge answered), else empty."""


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
