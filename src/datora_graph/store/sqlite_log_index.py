"""The index from identifier to logged observation on the embedded store (see log_index.py).

`log_keys` holds one row per (identifier key, log position), clustered by key, so the
observations of a profile's identifiers are a few index ranges, not a read of the whole log.
It is filled behind the log by the service (`index_log`), up to the position kept in `meta`
(`log_keys_through`). A rebuild's reset empties it (`forget_log_index`): keys are made under the
identifier settings of the time, and the replay indexes the log again as it goes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager

from datora_graph.store.sqlite_sql import DELETE_META, GET_META, SET_META
from datora_graph.store.sqlite_tables import record_tables

POSITION = "log_keys_through"
SCHEMA = """
CREATE TABLE IF NOT EXISTS log_keys (
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;
"""
INSERT_LOG_KEY = "INSERT OR IGNORE INTO log_keys (key, seq) VALUES (?, ?)"
LOGGED_WITH = """
SELECT o.seq, o.payload FROM observations o
WHERE o.seq IN (SELECT seq FROM log_keys WHERE key IN (SELECT value FROM json_each(?)))
ORDER BY o.seq
"""
LOGGED_BETWEEN = "SELECT 1 FROM observations WHERE seq > ? AND seq <= ? LIMIT 1"
DELETE_LOG_KEYS = "DELETE FROM log_keys WHERE key IN (SELECT value FROM json_each(?))"


class SqliteLogIndex:
    """The log-index part of `SqliteStore`; see store/base.py for what each method promises."""

    _writer: sqlite3.Connection
    _write_lock: threading.RLock
    _log_index_ready: bool = False

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _log_index_schema(self) -> None:
        if not self._log_index_ready:
            with self._write_lock:
                self._writer.executescript(SCHEMA)
                record_tables(self._writer)
                self._log_index_ready = True

    def log_index_position(self) -> int:
        self._log_index_schema()
        with self._read() as db:
            row = db.execute(GET_META, (POSITION,)).fetchone()
        return 0 if row is None else int(row[0])

    def index_log(self, rows: Sequence[tuple[str, int]], after_seq: int, through_seq: int) -> bool:
        self._log_index_schema()
        with self._transaction() as db:
            row = db.execute(GET_META, (POSITION,)).fetchone()
            filled = 0 if row is None else int(row[0])
            if through_seq <= filled:
                return True
            if filled < after_seq and db.execute(LOGGED_BETWEEN, (filled, after_seq)).fetchone():
                return False
            db.executemany(INSERT_LOG_KEY, [(key, seq) for key, seq in rows if seq > filled])
            db.execute(SET_META, (POSITION, str(through_seq)))
            return True

    def logged_observations_with(self, keys: Collection[str]) -> list[tuple[int, str]]:
        self._log_index_schema()
        with self._read() as db:
            found = db.execute(LOGGED_WITH, (json.dumps(sorted(set(keys))),)).fetchall()
        return [(int(seq), str(payload)) for seq, payload in found]


def forget_log_keys(db: sqlite3.Connection, keys: Collection[str]) -> None:
    """Inside an erasure's transaction (the table exists): the erased identifiers leave the
    index; the observations that carried only them left the log."""
    db.execute(DELETE_LOG_KEYS, (json.dumps(sorted(set(keys))),))


def forget_log_index(db: sqlite3.Connection) -> None:
    """Inside a rebuild's reset (the table exists): the whole index and its position go."""
    db.execute("DELETE FROM log_keys")
    db.execute(DELETE_META, (POSITION,))
