"""Checkpoints of the SQLite write-ahead log, off the request path.

SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, so every
ninetieth single-observation POST would pay for copying the log into the database file. A
background thread does it instead, once a second, in PASSIVE mode: it never blocks a writer.
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
        self._thread = threading.Thread(target=self._run, name="datora-wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        connection = self._connect()
        try:
            while not self._stop.wait(self._interval):
                self._checkpoint(connection)
            self._checkpoint(connection)
        finally:
            connection.close()

    @staticmethod
    def _checkpoint(connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed (the next one will retry): %s", exc)
