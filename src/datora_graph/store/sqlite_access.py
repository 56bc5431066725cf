"""API keys and the audit log on the embedded store: a mixin of `SqliteStore`.

The tables are created on first use (`sqlite_access_sql.SCHEMA`, idempotent) and are not
derived, so a rebuild keeps them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from datora_graph.domain.access import ApiKey
from datora_graph.domain.audit import AuditEntry, AuditFilter, AuditPage
from datora_graph.domain.errors import Conflict
from datora_graph.domain.records import iso
from datora_graph.store import sqlite_access_sql as q
from datora_graph.store.access_rows import (
    audit_from_row,
    audit_page,
    audit_params,
    audit_row,
    key_from_row,
    key_row,
)
from datora_graph.store.sqlite_tables import record_tables


class SqliteAccess:
    """The keys-and-audit part of `SqliteStore`; see store/base.py for what each promises."""

    _writer: sqlite3.Connection
    _write_lock: threading.RLock
    _access_ready: bool = False

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _access_schema(self) -> None:
        if not self._access_ready:
            with self._write_lock:
                self._writer.executescript(q.SCHEMA)
                record_tables(self._writer)
                self._access_ready = True

    def create_api_key(self, key: ApiKey, audit: Sequence[AuditEntry] = ()) -> None:
        self._access_schema()
        row = key_row(key)
        try:
            with self._transaction() as db:
                db.execute(
                    q.INSERT_KEY,
                    (
                        row["name"],
                        row["token_hash"],
                        row["scopes"],
                        row["last4"],
                        row["created_at"],
                        row["revoked_at"],
                    ),
                )
                write_audit(db, audit)
        except sqlite3.IntegrityError:
            raise Conflict(
                f"an API key named {key.name!r} exists (or existed); pick another name"
            ) from None

    def list_api_keys(self) -> list[ApiKey]:
        self._access_schema()
        with self._read() as db:
            return [key_from_row(row) for row in db.execute(q.LIST_KEYS)]

    def api_key_by_hash(self, token_hash: str) -> ApiKey | None:
        self._access_schema()
        with self._read() as db:
            row = db.execute(q.KEY_BY_HASH, (token_hash,)).fetchone()
        return key_from_row(row) if row else None

    def revoke_api_key(
        self, name: str, at: datetime, audit: Sequence[AuditEntry] = ()
    ) -> ApiKey | None:
        self._access_schema()
        with self._transaction() as db:
            db.execute(q.REVOKE_KEY, (iso(at), name))
            row = db.execute(q.KEY_BY_NAME, (name,)).fetchone()
            if row:
                write_audit(db, audit)
        return key_from_row(row) if row else None

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        self._access_schema()
        with self._transaction() as db:
            write_audit(db, entries)

    def set_audit_details(self, audit_id: str, details: Mapping[str, object]) -> None:
        self._access_schema()
        with self._transaction() as db:
            db.execute(q.SET_AUDIT_DETAILS, (json.dumps(dict(details), sort_keys=True), audit_id))

    def list_audit(self, query: AuditFilter) -> AuditPage:
        self._access_schema()
        params = audit_params(query)
        with self._read() as db:
            entries = [audit_from_row(row) for row in db.execute(q.LIST_AUDIT, dict(params))]
        return audit_page(entries, query.first)


def write_audit(db: sqlite3.Connection, entries: Sequence[AuditEntry]) -> None:
    """Audit entries, inside the caller's transaction (the access tables must exist: see
    `SqliteAccess._access_schema`); an entry whose ID is stored already is kept as it was."""
    rows = [audit_row(entry) for entry in entries]
    db.executemany(
        q.INSERT_AUDIT,
        [
            (
                r["id"],
                r["at"],
                r["actor"],
                r["action"],
                r["reason"],
                r["subject"],
                r["before"],
                r["after"],
                r["details"],
            )
            for r in rows
        ],
    )
    db.executemany(
        q.INSERT_AUDIT_PROFILE,
        [(profile_id, r["id"]) for r in rows for profile_id in r["profiles"]],
    )
