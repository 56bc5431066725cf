"""API keys and audit entries as flat rows of text, shared by the SQLite and Neo4j adapters.

Times are fixed-width UTC ISO strings (`records.iso`), so both stores order and compare them as
text; before/after and details are JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from datora_graph.domain.access import ApiKey
from datora_graph.domain.audit import (
    AuditEntry,
    AuditFilter,
    AuditPage,
    audit_cursor,
    audit_cursor_position,
)
from datora_graph.domain.records import from_iso, iso


def key_row(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "token_hash": key.token_hash,
        "scopes": json.dumps(sorted(key.scopes)),
        "last4": key.last4,
        "created_at": iso(key.created_at),
        "revoked_at": iso(key.revoked_at) if key.revoked_at else None,
    }


def key_from_row(row: Sequence[Any]) -> ApiKey:
    name, token_hash, scopes, last4, created_at, revoked_at = row
    return ApiKey(
        name=name,
        scopes=frozenset(json.loads(scopes)),
        token_hash=token_hash,
        last4=last4,
        created_at=from_iso(created_at),
        revoked_at=from_iso(revoked_at) if revoked_at else None,
    )


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "reason": entry.reason,
        "subject": entry.subject,
        "before": json.dumps(list(entry.before)),
        "after": json.dumps(list(entry.after)),
        "details": json.dumps(dict(entry.details), sort_keys=True),
        "profiles": sorted(set(entry.before) | set(entry.after)),
    }


def audit_from_row(row: Sequence[Any]) -> AuditEntry:
    entry_id, at, actor, action, reason, subject, before, after, details = row
    return AuditEntry(
        id=entry_id,
        at=from_iso(at),
        actor=actor,
        action=action,
        reason=reason,
        before=tuple(json.loads(before)),
        after=tuple(json.loads(after)),
        subject=subject,
        details=json.loads(details),
    )


def audit_params(query: AuditFilter) -> Mapping[str, Any]:
    """The named parameters of the list-audit statement in both stores; `limit` asks for one
    more than a page, to know whether another follows."""
    below = (LATEST, LATEST)  # entries come before this (time, ID), exclusive
    if query.until is not None:
        below = (iso(query.until), "")  # every ID follows "": the time itself is left out
    if query.after is not None:
        at, cursor_id = audit_cursor_position(query.after)
        below = min(below, (iso(at), cursor_id))
    return {
        "actor": query.actor,
        "action": query.action,
        "subject": query.subject,
        "profile_id": query.profile_id,
        "from_at": _text(query.since) or "",
        "below_at": below[0],
        "below_id": below[1],
        "limit": query.first + 1,
    }


LATEST = "~"
"""After every fixed-width ISO time and every audit ID in text order: no upper bound. Both
bounds are always given, so each store reads the log by its (time, ID) index as a range
instead of scanning it from the newest entry for every page."""


def audit_page(entries: Sequence[AuditEntry], first: int) -> AuditPage:
    """A page of at most `first` entries from up to `first + 1` read, with the next cursor."""
    items = list(entries[:first])
    more = len(entries) > first
    return AuditPage(items, audit_cursor(items[-1]) if more and items else None)


def _text(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None
