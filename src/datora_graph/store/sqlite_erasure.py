"""Erasure on the embedded store: one transaction removing a person (see domain/erasure.py),
and the fingerprints of the records it removed, which ingest asks about (`SqliteErasedRecords`).

Keys travel as one JSON parameter (`:keys`) expanded by `json_each`, as elsewhere. Triggers
keep the activity and consent tables true when the identifiers and the profile row go.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from datora_graph.domain.cannot_links import ERASED_CONSTRAINT_REASON
from datora_graph.domain.erasure import (
    ErasedRecord,
    Erasure,
    ErasureCounts,
    erased_fingerprint,
    erased_records,
    redact_events,
)
from datora_graph.domain.erasure_decisions import REDACTED_REASON
from datora_graph.domain.mentions import (
    MENTION_PAGE_ROWS,
    Candidate,
    MentionPage,
    filtered_candidates,
    find_mentions,
)
from datora_graph.domain.records import KEPT_QUARANTINE_REASON, RecordKind
from datora_graph.store.access_rows import audit_row
from datora_graph.store.sqlite_access import write_audit
from datora_graph.store.sqlite_log_index import forget_log_keys
from datora_graph.store.steward_rows import decision_body, decision_from_row

_KEYS = "(SELECT value FROM json_each(:keys))"

REWRITE_OBSERVATION = "UPDATE observations SET payload = ? WHERE seq = ?"
DELETE_OBSERVATION = "DELETE FROM observations WHERE seq = ?"
KEEP_LOG_END = """
INSERT INTO meta (key, value)
VALUES ('log_end', (SELECT coalesce(max(seq), 0) FROM observations))
ON CONFLICT (key) DO UPDATE SET value = excluded.value
WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)
"""
"""Before deleting observations: the newest position stays given (sqlite_sql.LAST_SEQUENCE)."""

EVENTS_OF_KEYS = f"""
SELECT id, type, occurred_at, identifiers FROM events WHERE id IN (
    SELECT event_id FROM event_identifiers WHERE identifier_key IN {_KEYS}
) ORDER BY id
"""
DELETE_EVENT = "DELETE FROM events WHERE id = ?"
DELETE_EVENT_CREDIT = (
    "DELETE FROM event_credits WHERE event_type = ? AND occurred_at = ? AND event_id = ?"
)
REWRITE_EVENT = "UPDATE events SET identifiers = ? WHERE id = ?"
DELETE_EVENT_IDENTIFIER = (
    "DELETE FROM event_identifiers WHERE identifier_key = ? AND occurred_at = ? AND event_id = ?"
)
DELETE_ACTIVITY = f"DELETE FROM identifier_activity WHERE identifier_key IN {_KEYS}"
DELETE_CONSENT_STATEMENTS = f"DELETE FROM consent_statements WHERE identifier_key IN {_KEYS}"
DELETE_CONSENT = f"DELETE FROM consent WHERE identifier_key IN {_KEYS}"
DELETE_EVIDENCE = f"DELETE FROM evidence WHERE a IN {_KEYS} OR b IN {_KEYS}"
REVIEW_ITEMS_OF_KEYS = f"SELECT id FROM review_items WHERE a IN {_KEYS} OR b IN {_KEYS}"
DELETE_REVIEW_RESOLUTIONS = (
    "DELETE FROM review_resolutions WHERE item_id IN (SELECT value FROM json_each(:ids))"
)
DELETE_REVIEW_ITEMS = "DELETE FROM review_items WHERE id IN (SELECT value FROM json_each(:ids))"
DELETE_GUARDS = f"DELETE FROM identifier_guards WHERE key IN {_KEYS}"
UNHOLD_REVIEW_ITEMS = f"""
UPDATE review_items SET constraint_id = NULL, reason = :reason
WHERE constraint_id IN (SELECT id FROM cannot_link WHERE a IN {_KEYS} OR b IN {_KEYS})
"""
DELETE_CANNOT_LINKS = f"DELETE FROM cannot_link WHERE a IN {_KEYS} OR b IN {_KEYS}"
DELETE_MUST_LINKS = f"DELETE FROM must_link WHERE a IN {_KEYS} OR b IN {_KEYS}"
DELETE_DECISIONS = "DELETE FROM steward_decisions WHERE id IN (SELECT value FROM json_each(:ids))"
REDACT_DECISION = "UPDATE steward_decisions SET body = ? WHERE id = ?"
REQUARANTINE = f"UPDATE identifier_guards SET reason = :reason WHERE key IN {_KEYS}"
REWRITE_REVIEW_ITEM = (
    "UPDATE review_items SET reason = ?, suggested_action = ?, guard = coalesce(?, guard) "
    "WHERE id = ?"
)
UNNAME_ANSWERING_RECORDS = """
UPDATE review_items
SET answered_by = (
    SELECT json_extract(u.value, '$[1]') FROM json_each(:rows) AS u
    WHERE json_extract(u.value, '$[0]') = review_items.answered_by
)
WHERE status = 'answered'
  AND answered_by IN (SELECT json_extract(value, '$[0]') FROM json_each(:rows))
"""
UNNAME_AUDIT_ENTRY = "UPDATE audit_log SET subject = :subject, details = :details WHERE id = :id"
REDACT_AUDIT_REASONS = (
    "UPDATE audit_log SET reason = ? WHERE id IN (SELECT value FROM json_each(?))"
)
REDACT_MERGE_REASONS = (
    "UPDATE merges SET reason = ? WHERE observation_id IN (SELECT value FROM json_each(?))"
)
"""No index serves a lookup by the record or decision that merged: an erasure can afford a
read of every note."""
REDACT_CANNOT_LINK_REASON = "UPDATE cannot_link SET reason = ? WHERE id = ?"
REDACT_MUST_LINK_REASONS = (
    "UPDATE must_link SET reason = ? WHERE id IN (SELECT value FROM json_each(?))"
)
REDACT_RESOLUTION_REASON = "UPDATE review_resolutions SET reason = ? WHERE reason = ?"
"""No index serves a lookup by resolution: an erasure quoting a decision can afford a read of
every steward's resolution per text (a few), and so rewrites those of items a rebuild
replaced, which the table keeps too."""
PROFILE_ALIASES = "SELECT alias FROM aliases WHERE profile_id = ?"
DELETE_MERGES = """
DELETE FROM merges WHERE survivor IN (SELECT value FROM json_each(:ids))
    OR absorbed IN (SELECT value FROM json_each(:ids))
"""
DELETE_ALIASES = "DELETE FROM aliases WHERE profile_id = ?"
DELETE_IDENTIFIERS = f"DELETE FROM identifiers WHERE key IN {_KEYS}"
DELETE_PROFILE = "DELETE FROM profiles WHERE id = ?"
DELETE_REJECTIONS = "DELETE FROM rejections WHERE seq IN (SELECT value FROM json_each(?))"
INSERT_ERASED_RECORD = """
INSERT INTO erased_records (fingerprint, kind, erased_at, audit_id) VALUES (?, ?, ?, ?)
ON CONFLICT (fingerprint) DO NOTHING
"""
ERASED_FINGERPRINTS = """
SELECT fingerprint FROM erased_records WHERE fingerprint IN (SELECT value FROM json_each(?))
"""
ERASED_RECORDS_PAGE = """
SELECT fingerprint, kind, erased_at, audit_id FROM erased_records
WHERE fingerprint > ? ORDER BY fingerprint LIMIT ?
"""

# The mentions of erased values in others' records (domain/mentions.py) are looked for a page
# of rows at a time, each page a read of its own; `filtered_candidates` takes the rows that
# could hold one (SQLite's `lower` folds ASCII only, and the log keeps JSON escapes as sent).
OBSERVATIONS_PAGE = "SELECT seq, id, payload FROM observations WHERE seq > ? ORDER BY seq LIMIT ?"
DECISIONS_PAGE = """
SELECT seq, id, kind, body, undone_by FROM steward_decisions WHERE seq > ? ORDER BY seq LIMIT ?
"""
EVENTS_PAGE = "SELECT id, properties FROM events WHERE id > ? ORDER BY id LIMIT ?"


class SqliteErasedRecords:
    """What `SqliteStore` keeps of erased records; see store/base.py for what each method
    promises. The `erased_records` table is in the main schema (`sqlite_sql.SCHEMA`): ingest
    asks it about every batch."""

    _write_lock: threading.RLock
    _writer: sqlite3.Connection

    def _check_open(self) -> None:
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _steward_schema(self) -> None:
        raise NotImplementedError

    def erased_ids(self, kind: RecordKind, ids: Collection[str]) -> set[str]:
        if not ids:
            return set()
        by_fingerprint = {erased_fingerprint(kind, i): i for i in ids}
        with self._write_lock:  # on the writer: ingest asks between its own commits
            self._check_open()
            rows = self._writer.execute(
                ERASED_FINGERPRINTS, (json.dumps(sorted(by_fingerprint)),)
            ).fetchall()
        return {by_fingerprint[row[0]] for row in rows}

    def iter_erased_records(self, batch_size: int = 1000) -> Iterator[list[ErasedRecord]]:
        after = ""
        while True:
            with self._read() as db:
                found = db.execute(ERASED_RECORDS_PAGE, (after, batch_size)).fetchall()
            if not found:
                return
            yield [ErasedRecord(*row) for row in found]
            after = found[-1][0]

    def records_mentioning(
        self, values: Collection[str], limit: int, page_rows: int = MENTION_PAGE_ROWS
    ) -> MentionPage:
        self._steward_schema()  # the decision log's table, searched last

        def candidates(terms: list[str]) -> Iterator[Candidate]:
            observations = self._mention_pages(OBSERVATIONS_PAGE, 0, page_rows)
            events = self._mention_pages(EVENTS_PAGE, "", page_rows)
            decisions = self._mention_pages(DECISIONS_PAGE, 0, page_rows)
            return filtered_candidates(
                terms,
                ((str(record_id), payload) for _, record_id, payload in observations),
                ((str(record_id), str(properties)) for record_id, properties in events),
                (
                    decision_from_row(i, kind, seq, body, undone)
                    for seq, i, kind, body, undone in decisions
                ),
            )

        return find_mentions(values, limit, candidates)

    def _mention_pages(self, statement: str, after: object, rows: int) -> Iterator[tuple[Any, ...]]:
        """Every row of `statement` (ordered by its first column, which it reads past
        `after`), `rows` at a time, each page in a read of its own."""
        while True:
            with self._read() as db:
                page = db.execute(statement, (after, rows)).fetchall()
            yield from page
            if len(page) < rows:
                return
            after = page[-1][0]

    def add_erased_records(self, records: Sequence[ErasedRecord]) -> None:
        with self._transaction() as db:
            _write_erased(db, records)


def _write_erased(db: sqlite3.Connection, records: Sequence[ErasedRecord]) -> None:
    db.executemany(
        INSERT_ERASED_RECORD, [(r.fingerprint, r.kind, r.erased_at, r.audit_id) for r in records]
    )


def erase_in(db: sqlite3.Connection, erasure: Erasure) -> ErasureCounts:
    """Apply `erasure` inside the caller's transaction (the steward, access and log-index
    tables exist)."""
    keys = set(erasure.keys)
    params = {"keys": json.dumps(sorted(keys))}
    removed = rewritten = 0
    db.execute(KEEP_LOG_END)
    for redaction in erasure.log:
        if redaction.payload is None:
            removed += db.execute(DELETE_OBSERVATION, (redaction.seq,)).rowcount
        else:
            db.execute(REWRITE_OBSERVATION, (redaction.payload, redaction.seq))
            rewritten += 1
    forget_log_keys(db, keys)
    events_removed, events_rewritten = _erase_events(db, keys, params)
    _write_erased(db, erased_records(erasure, events_removed))
    db.execute(DELETE_ACTIVITY, params)
    consent = db.execute(DELETE_CONSENT_STATEMENTS, params).rowcount
    db.execute(DELETE_CONSENT, params)
    evidence = db.execute(DELETE_EVIDENCE, params).rowcount
    items = json.dumps([row[0] for row in db.execute(REVIEW_ITEMS_OF_KEYS, params)])
    db.execute(DELETE_REVIEW_RESOLUTIONS, {"ids": items})
    review_items = db.execute(DELETE_REVIEW_ITEMS, {"ids": items}).rowcount
    db.execute(DELETE_GUARDS, params)
    kept = {"keys": json.dumps(erasure.requarantined), "reason": KEPT_QUARANTINE_REASON}
    db.execute(REQUARANTINE, kept)
    db.executemany(
        REWRITE_REVIEW_ITEM,
        [(r.reason, r.suggested_action, r.guard, r.item_id) for r in erasure.review_rewrites],
    )
    # The items of others the person's constraints held name none, as after a replay.
    db.execute(UNHOLD_REVIEW_ITEMS, {**params, "reason": ERASED_CONSTRAINT_REASON})
    db.execute(DELETE_CANNOT_LINKS, params)
    db.execute(DELETE_MUST_LINKS, params)
    constraints = [(r, i) for i, r in erasure.cannot_link_reasons]
    quotes = db.executemany(REDACT_CANNOT_LINK_REASON, constraints).rowcount
    if erasure.must_link_reasons:
        ids = json.dumps(erasure.must_link_reasons)
        quotes += db.execute(REDACT_MUST_LINK_REASONS, (REDACTED_REASON, ids)).rowcount
    resolutions = [(r, t) for t, r in erasure.resolution_reasons]
    quotes += db.executemany(REDACT_RESOLUTION_REASON, resolutions).rowcount
    decisions = db.execute(DELETE_DECISIONS, {"ids": json.dumps(erasure.decisions)}).rowcount
    redacted = sum(
        db.execute(REDACT_DECISION, (decision_body(d, d.created), d.id)).rowcount
        for d in erasure.redacted_decisions
    )
    aliases = [row[0] for row in db.execute(PROFILE_ALIASES, (erasure.profile_id,))]
    names = [erasure.profile_id, *aliases]
    db.execute(DELETE_MERGES, {"ids": json.dumps(names)})
    if erasure.note_reasons:  # else no need to read every note
        notes = json.dumps(erasure.note_reasons)
        quotes += db.execute(REDACT_MERGE_REASONS, (REDACTED_REASON, notes)).rowcount
    db.execute(DELETE_ALIASES, (erasure.profile_id,))
    identifiers = db.execute(DELETE_IDENTIFIERS, params).rowcount
    db.execute(DELETE_PROFILE, (erasure.profile_id,))
    rejections = db.execute(DELETE_REJECTIONS, (json.dumps(erasure.rejections),)).rowcount
    db.execute(REDACT_AUDIT_REASONS, (REDACTED_REASON, json.dumps(erasure.audit_reasons)))
    db.executemany(UNNAME_AUDIT_ENTRY, [audit_row(e) for e in erasure.merge_entries])
    db.execute(UNNAME_ANSWERING_RECORDS, {"rows": json.dumps(erasure.unnamed_answers)})
    counts = ErasureCounts(
        identifiers=identifiers,
        observations_removed=removed,
        observations_rewritten=rewritten,
        events_removed=len(events_removed),
        events_rewritten=events_rewritten,
        consent_statements=consent,
        review_items=review_items,
        evidence=evidence,
        decisions=decisions,
        decisions_redacted=redacted,
        quotes_replaced=quotes,
        rejections=rejections,
    )
    # The entry keeps every count the privacy officer is told.
    write_audit(db, [erasure.entry(counts)])
    return counts


def _erase_events(
    db: sqlite3.Connection, keys: set[str], params: dict[str, str]
) -> tuple[list[str], int]:
    """Events credited to an erased identifier (their first) go; the others lose the erased
    identifiers and stay credited to the identifier they were credited to. Answers the IDs
    of those that went and how many were rewritten."""
    found = {row[0]: row for row in db.execute(EVENTS_OF_KEYS, params).fetchall()}
    removed, rewritten = redact_events(((i, row[3]) for i, row in found.items()), keys)
    for event_id in removed:
        _, event_type, occurred_at, stored = found[event_id]
        db.execute(DELETE_EVENT, (event_id,))
        db.execute(DELETE_EVENT_CREDIT, (event_type, occurred_at, event_id))
        named = [f"{type_name}:{value}" for type_name, value in json.loads(stored)]
        db.executemany(DELETE_EVENT_IDENTIFIER, [(key, occurred_at, event_id) for key in named])
    for rewrite in rewritten:
        occurred_at = found[rewrite.event_id][2]
        db.execute(REWRITE_EVENT, (rewrite.identifiers, rewrite.event_id))
        db.executemany(
            DELETE_EVENT_IDENTIFIER, [(key, occurred_at, rewrite.event_id) for key in rewrite.gone]
        )
    return removed, len(rewritten)
