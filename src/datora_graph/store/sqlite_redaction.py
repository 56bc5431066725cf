"""Redaction on the embedded store: a field taken out of one logged record, with what was
derived from it, in one transaction (see domain/redaction.py).

An event's revenue is counted in its credit (`event_credits`), in the activity of the
identifier credited (`identifier_activity`) and in the row of the profile holding that
identifier (`profile_activity`): the first two are moved by the difference, the last is
recounted from its identifiers, as the triggers of sqlite_segments_sql.py do when one moves.
The steward decisions whose snapshots held an observation's removed values get their
scrubbed bodies as an erasure's redacted ones do (`REDACT_DECISION`).
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager

from datora_graph.domain.errors import NotFound
from datora_graph.domain.redaction import EventRedaction, ObservationRedaction
from datora_graph.domain.survivorship import candidates_to_json
from datora_graph.store import sqlite_segments_sql as activity
from datora_graph.store import sqlite_steward_sql as q
from datora_graph.store.sqlite_access import write_audit
from datora_graph.store.sqlite_erasure import REDACT_DECISION
from datora_graph.store.sqlite_steward import profile_row
from datora_graph.store.steward_rows import decision_body

LOGGED_OBSERVATION = "SELECT seq, payload FROM observations WHERE id = ?"
REWRITE_PAYLOAD = "UPDATE observations SET payload = ? WHERE seq = ?"
EVENT_PROPERTIES = "SELECT properties FROM events WHERE id = ?"
EVENT_KEY = "SELECT type, occurred_at FROM events WHERE id = ?"
REWRITE_PROPERTIES = "UPDATE events SET properties = ? WHERE id = ?"
EVENT_CREDIT = """
SELECT identifier_key, revenue_cents FROM event_credits
WHERE event_type = :type AND occurred_at = :occurred_at AND event_id = :id
"""
REWRITE_CREDIT = f"""
UPDATE event_credits SET properties = :properties, revenue_cents = {activity.EVENT_CENTS}
WHERE event_type = :type AND occurred_at = :occurred_at AND event_id = :id
RETURNING revenue_cents
"""
MOVE_KEY_REVENUE = """
UPDATE identifier_activity SET revenue_cents = revenue_cents + :delta
WHERE identifier_key = :key AND event_type = :type
"""
PROFILE_OF_KEY = "SELECT profile_id FROM identifiers WHERE key = ?"


class SqliteRedaction:
    """What `SqliteStore` does for a redaction; see store/base.py for the promises."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _access_schema(self) -> None:
        raise NotImplementedError

    def _steward_schema(self) -> None:
        raise NotImplementedError

    def _forget_old_pages(self) -> None:
        raise NotImplementedError

    def logged_observation(self, observation_id: str) -> tuple[int, str] | None:
        with self._read() as db:
            row = db.execute(LOGGED_OBSERVATION, (observation_id,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def event_properties(self, event_id: str) -> str | None:
        with self._read() as db:
            row = db.execute(EVENT_PROPERTIES, (event_id,)).fetchone()
        return None if row is None else str(row[0])

    def redact_observation(self, redaction: ObservationRedaction) -> None:
        self._access_schema()
        self._steward_schema()  # the decision log it scrubs, made on first use
        with self._transaction() as db:
            if db.execute(REWRITE_PAYLOAD, (redaction.payload, redaction.seq)).rowcount != 1:
                raise NotFound(f"no observation is logged at position {redaction.seq}")
            db.executemany(
                q.WRITE_PROFILE,
                [
                    profile_row(p, p.updated_at, p.attributes, candidates_to_json(p.candidates))
                    for p in redaction.profiles
                ],
            )
            db.executemany(
                REDACT_DECISION, [(decision_body(d, d.created), d.id) for d in redaction.decisions]
            )
            write_audit(db, [redaction.audit])
        self._forget_old_pages()

    def redact_event(self, redaction: EventRedaction) -> None:
        self._access_schema()
        with self._transaction() as db:
            found = db.execute(EVENT_KEY, (redaction.event_id,)).fetchone()
            if found is None:
                raise NotFound(f"no event {redaction.event_id} is stored")
            params = {"id": redaction.event_id, "type": found[0], "occurred_at": found[1]}
            db.execute(REWRITE_PROPERTIES, (redaction.properties, redaction.event_id))
            credit = db.execute(EVENT_CREDIT, params).fetchone()
            if credit is not None:
                key, old_cents = credit
                new_cents = db.execute(
                    REWRITE_CREDIT, {**params, "properties": redaction.properties}
                ).fetchone()[0]
                delta = (new_cents or 0) - (old_cents or 0)
                if delta:
                    db.execute(MOVE_KEY_REVENUE, {"delta": delta, "key": key, "type": found[0]})
                    holder = db.execute(PROFILE_OF_KEY, (key,)).fetchone()
                    if holder is not None:
                        for statement in activity.RECOUNT_PROFILE:
                            db.execute(statement, {"profile_id": holder[0]})
            write_audit(db, [redaction.audit])
        self._forget_old_pages()
