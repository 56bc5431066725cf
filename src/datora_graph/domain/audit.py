"""The audit log: who changed the graph or its access, when, why, and which profiles it touched.

Entries are append-only and are not derived from the observation log, so a rebuild keeps them.
Every merge, split, undo, erasure, key change and segment export writes one; the store keeps
them (`GraphStore.append_audit`) and lists them newest first (`GraphStore.list_audit`).

    entry = new_audit_entry("crm-sync", "manual_merge", "same customer", before=("p1", "p2"),
                            after=("p1",), subject="dec_0001")
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from datora_graph.domain.changeset import Merge
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.moments import utc
from datora_graph.domain.profiles import MAX_PAGE_SIZE, decode_cursor, encode_cursor

AUDIT_ACTIONS = frozenset(
    {
        "merge",
        "manual_merge",
        "split",
        "undo",
        "review_accept",
        "review_reject",
        "erasure",
        "redaction",
        "key_create",
        "key_revoke",
        "segment_export",
        "backup",
        "access_request",
    }
)

SYSTEM_ACTOR = "system"
"""The actor of changes no caller asked for by name (a library call without an actor)."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    """`aud_` and 20 hex characters from `secrets`: unique without a counter shared by stores."""
    at: datetime
    actor: str
    """The API key's name, `dev-mode`, or `cli:<os user>`."""
    action: str
    reason: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    subject: str = ""
    """What the action was about: a decision ID, a key name, a segment ID, a review item ID."""
    details: Mapping[str, object] = field(default_factory=dict)
    """JSON-serialisable facts that do not fit the columns above."""


def new_audit_entry(
    actor: str,
    action: str,
    reason: str,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    subject: str = "",
    details: Mapping[str, object] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """An entry stamped now (UTC) unless `at` is given; refuses what the log could not keep."""
    if action not in AUDIT_ACTIONS:
        raise InvalidInput("action", f"{action!r} is not one of {', '.join(sorted(AUDIT_ACTIONS))}")
    if not actor:
        raise InvalidInput("actor", "must name who acted")
    stamp = at if at is not None else datetime.now(UTC)
    if stamp.tzinfo is None:
        raise InvalidInput("at", "must carry a time zone")
    payload = dict(details or {})
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("details", f"must be JSON-serialisable ({exc})") from None
    return AuditEntry(
        id="aud_" + secrets.token_hex(10),
        at=stamp.astimezone(UTC),
        actor=actor,
        action=action,
        reason=reason,
        before=tuple(before),
        after=tuple(after),
        subject=subject,
        details=payload,
    )


def merge_audit_entries(merges: Sequence[Merge], actor: str) -> list[AuditEntry]:
    """One `merge` entry per automatic merge of an ingest: the absorbed and surviving profiles
    before, the survivor after, the observation that joined them as the subject."""
    now = datetime.now(UTC)
    return [
        new_audit_entry(
            actor,
            "merge",
            merge.reason,
            before=(merge.absorbed, merge.survivor),
            after=(merge.survivor,),
            subject=merge.observation_id,
            details={
                "observation": merge.observation_id,
                "observed_at": merge.at.isoformat(),
                "absorbed": merge.absorbed,
                "survivor": merge.survivor,
            },
            at=now,
        )
        for merge in merges
    ]


@dataclass(frozen=True)
class AuditFilter:
    """A page of the audit log, newest first; `profile_id` matches entries naming it before or
    after the action. `since` is inclusive, `until` exclusive."""

    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    profile_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    first: int = 50
    after: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.first <= MAX_PAGE_SIZE:
            raise InvalidInput("first", f"must be between 1 and {MAX_PAGE_SIZE}")
        if self.action is not None and self.action not in AUDIT_ACTIONS:
            raise InvalidInput(
                "action", f"{self.action!r} is not one of {', '.join(sorted(AUDIT_ACTIONS))}"
            )
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(name, "must carry a time zone")
        if self.after is not None:
            audit_cursor_position(self.after)


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: Sequence[AuditEntry]
    next_cursor: str | None


def audit_cursor(entry: AuditEntry) -> str:
    """The cursor after `entry`: the log is ordered by time, then ID, both descending."""
    return encode_cursor("audit", entry.at.astimezone(UTC).isoformat(), entry.id)


def audit_cursor_position(cursor: str) -> tuple[datetime, str]:
    """The `(at, id)` an audit cursor points after; InvalidInput for anything else."""
    parts = decode_cursor(cursor)
    if len(parts) != 3 or parts[0] != "audit":
        raise InvalidInput("after", "is not an audit log cursor")
    try:
        at = utc(datetime.fromisoformat(parts[1]))
    except (ValueError, OverflowError):  # not a time, or one that leaves the calendar in UTC
        raise InvalidInput("after", "is not an audit log cursor") from None
    return at, parts[2]
