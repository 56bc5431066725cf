"""Whether a migration's source changed while it was carried.

A migration holds the source's writer lock as well as the target's, so ingest, steward
decisions and erasures into the source wait for it and the target is the source as of one
moment. Some writes are made beside that lock (a consent statement sent to `POST /v1/consent`,
a segment defined, changed or exported, an API key made or revoked: see `store/base.py`), and
on Neo4j the lock lasts at most `DATORA_NEO4J_LOCK_TIMEOUT_SECONDS`, after which another
writer may take it. A write that lands in the source after its stage was carried would be
missing from the target without a word, so the migration reads these marks of the source
when it starts and again when it ends, and names every difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from datora_graph.domain.audit import AuditFilter
from datora_graph.store.base import GraphStore


@dataclass(frozen=True, slots=True)
class SourceMarks:
    """What can be read of a store quickly that changes with every kind of write a migration
    carries."""

    log_position: int
    observations: int
    events: int
    rejections: int
    consent_statements: int
    """Kept statements, not consents in force: what the consent stage carries."""
    segments: frozenset[tuple[str, datetime]]
    """Each segment's name and when it was last changed."""
    api_keys: frozenset[tuple[str, datetime | None]]
    """Each key's name and when it was revoked."""
    newest_audit_entry: str | None
    """The ID of the audit log's newest entry (a segment export adds one beside the lock), as
    the audit stage starts: entries added before it are carried."""


def read_marks(store: GraphStore) -> SourceMarks:
    stats = store.stats()
    return SourceMarks(
        log_position=store.last_sequence(),
        observations=stats.observations,
        events=stats.events,
        rejections=stats.rejections,
        consent_statements=store.count_consent_statements(),
        segments=frozenset((s.name, s.updated_at) for s in store.list_segments()),
        api_keys=frozenset((k.name, k.revoked_at) for k in store.list_api_keys()),
        newest_audit_entry=newest_audit_entry(store),
    )


def newest_audit_entry(store: GraphStore) -> str | None:
    """The ID of the newest entry of `store`'s audit log (None while it is empty)."""
    return next((entry.id for entry in store.list_audit(AuditFilter(first=1)).items), None)


def changes(before: SourceMarks, after: SourceMarks) -> list[str]:
    """What was written into the source between the two readings, in words; empty if nothing."""
    found = [
        _count("observations", before.observations, after.observations),
        _count("events", before.events, after.events),
        _count("rejected items", before.rejections, after.rejections),
        _count("consent statements", before.consent_statements, after.consent_statements),
        _names("segments", before.segments, after.segments),
        _names("API keys", before.api_keys, after.api_keys),
        "audit entries: written after they were carried (a segment export, say)"
        if after.newest_audit_entry != before.newest_audit_entry
        else "",
    ]
    if not found[0] and after.log_position != before.log_position:
        # The same count at another position: an erasure took records out and others came.
        found[0] = f"the observation log moved from position {before.log_position:,} to "
        found[0] += f"{after.log_position:,}"
    return [text for text in found if text]


def _count(what: str, before: int, after: int) -> str:
    if after == before:
        return ""
    change = "more" if after > before else "fewer"
    return f"{what}: {abs(after - before):,} {change} ({before:,} when it started, {after:,} now)"


def _names(
    what: str, before: Iterable[tuple[str, object]], after: Iterable[tuple[str, object]]
) -> str:
    old, new = set(before), set(after)
    changed = sorted({name for name, _ in old ^ new})
    return f"{what} made, changed or removed: {', '.join(changed)}" if changed else ""
