"""Checkpoints of the SQLite write-ahead log, off the request path.

SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, so every
ninetieth single-observation POST would pay for copying the log into the database file. A
background thread does it instead, once a second, in PASSIVE mode: it never blocks a writer.

After an erasure or a redaction the log is truncated (`forget`): its frames hold the pages as
they were before, the person's values in them, until later writes happen to overwrite them,
and a copy of a running service's folder would carry them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class WalCheckpointer:
    def __init__(self, connect: Callable[[], sqlite3.Connection], interval: float = 1.0) -> None:
        self._connect = connect
        self._interval = interval
        self._stop = threading.Event()
        self._truncate = threading.Event()
        self._thread = threading.Thread(target=self._run, name="datora-wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        connection = self._connect()
        # A truncation waiting for a reader would block every writer meanwhile: it tries,
        # and tries again a second later.
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            while not self._stop.wait(self._interval):
                self._checkpoint(connection)
            self._checkpoint(connection)
        finally:
            connection.close()

    def forget(self, writer: sqlite3.Connection) -> bool:
        """Copy the write-ahead log into the database file and truncate it, on the `writer`
        (its caller holds the write lock), waiting a second at most for readers of an older
        snapshot; True when done. Otherwise the background thread truncates at each of its
        checkpoints until one completes."""
        writer.execute(f"PRAGMA busy_timeout = {FORGET_WAIT_MS}")
        try:
            done = _truncated(writer)
        finally:
            writer.execute(f"PRAGMA busy_timeout = {WRITER_WAIT_MS}")
        if done:
            self._truncate.clear()
        else:
            self._truncate.set()
            log.warning(
                "the write-ahead log still holds pages from before an erasure or a redaction: "
                "a reader of an older snapshot is open; it is truncated once that read ends"
            )
        return done

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            if self._truncate.is_set():
                if _truncated(connection):
                    self._truncate.clear()
                return
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed (the next one will retry): %s", exc)


FORGET_WAIT_MS = 1000
WRITER_WAIT_MS = 30_000
"""The writer's busy timeout (`sqlite3.connect(timeout=30.0)`), restored after `forget`."""


def _truncated(connection: sqlite3.Connection) -> bool:
    """A TRUNCATE checkpoint; False when a reader or a writer kept it from completing."""
    busy, _frames, _copied = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
