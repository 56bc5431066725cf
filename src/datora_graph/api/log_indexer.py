"""Keeps the log index up to date behind ingest while `datora serve` runs.

A split, an erasure or an access request first indexes whatever was logged since the last one
(log_index.py): after a day of REST ingest that is a day of observations to parse, tens of
seconds the steward's or the privacy officer's request would wait on. So `datora serve` runs
one more process, beside the server's (however many workers), that every
`DATORA_LOG_INDEX_SECONDS` indexes what was logged since, in small pages, resting after each
as long as the page took.

A process, not a thread: the work is parsing in Python, and a thread parsing in the server's
process made every request wait for the interpreter at each store call it made (REST p99 from
11 ms to 100 ms while a backlog of 100k observations was indexed; 20-23 ms from a process).

Each page is its own transaction, and the store indexes a page only past its position, so this
process and a request's own catch-up may meet without harm: what one indexed the other skips.
It leaves the index alone while a rebuild runs (the rebuild indexes the log itself), and ends
when the server stops, or when its parent is gone (a server killed outright).
"""

from __future__ import annotations

import logging
import logging.config
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from datora_graph.api.server_log import server_log_config
from datora_graph.config import Settings
from datora_graph.domain.errors import DatoraError
from datora_graph.log_index import LogIndex
from datora_graph.store import open_store
from datora_graph.store.sqlite_damage import damage_in, damaged_store

logger = logging.getLogger(__name__)

PAGE = 100
"""Observations one step indexes: about 8 ms of a core and one short write transaction, which a
request's commit may wait behind (pages of 500 raised REST p99 half as much again while a
backlog was indexed)."""
STOP_SECONDS = 10.0
"""How long a stopping server waits for the indexing process to end."""
PARENT_CHECK_SECONDS = 0.5
"""How soon the indexing process notices that the server is gone: a server ended by SIGTERM
(uvicorn raises it again once it has stopped) or killed never gets to end it, and the
process still holds the server's standard output, which whoever started it may be reading."""


class LogIndexer:
    """The loop of the indexing process: every `seconds`, index what was logged since."""

    def __init__(
        self, index: LogIndex, seconds: float, stop: threading.Event, store_file: Path, parent: int
    ) -> None:
        self.index = index
        self.seconds = seconds
        self.stop = stop
        self.store_file = store_file
        self.parent = parent
        """The server's process ID: when this process's parent is another, the server is gone."""
        self._failing = False

    def run(self) -> None:
        while self._rest(self.seconds):
            self._look()

    def catch_up(self) -> int:
        """Index what was logged since the index's position, resting between pages; answers
        how many observations it indexed (fewer when told to stop)."""
        if self.index.store.rebuild_in_progress():
            return 0
        done = 0
        while not self._done():
            started = time.monotonic()
            indexed = self.index.index_next(PAGE)
            if not indexed:
                break
            done += indexed
            self._rest(time.monotonic() - started)
        return done

    def _rest(self, seconds: float) -> bool:
        """Wait `seconds`, looking at least every PARENT_CHECK_SECONDS whether to end; answers
        whether to go on."""
        deadline = time.monotonic() + seconds
        while not self._done():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            self.stop.wait(min(left, PARENT_CHECK_SECONDS))
        return False

    def _done(self) -> bool:
        return self.stop.is_set() or os.getppid() != self.parent

    def _look(self) -> None:
        try:
            indexed = self.catch_up()
        except DatoraError as error:  # the store unreachable, or past its read time limit
            if not self._failing:
                logger.warning("%s: %s", self._failed(), error)
            self._failing = True
        except Exception as error:
            if not self._failing:
                damage = damage_in(error)
                if damage is None:
                    logger.error("%s", self._failed(), exc_info=error)
                else:
                    logger.error("%s: %s", self._failed(), damaged_store(self.store_file, damage))
            self._failing = True
        else:
            if self._failing:
                logger.info("the log index is up to date again (%d observations indexed)", indexed)
            self._failing = False

    def _failed(self) -> str:
        return (
            f"the log index could not be brought up to date (trying again every {self.seconds:g} s)"
        )


@contextmanager
def indexing_beside(settings: Settings, environment: Mapping[str, str]) -> Iterator[None]:
    """The indexing process running beside the block (unless `log_index_seconds` is 0), with
    the settings `environment` gives it on top of this process's (as a worker gets them)."""
    if settings.log_index_seconds <= 0:
        yield
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "datora_graph.api.log_indexer", str(os.getpid())],
        env={**os.environ, **environment},
        stdin=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()  # a page's transaction not committed yet is rolled back
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    """The indexing process: logs as the server does; Ctrl+C is the server's to act on (it
    reaches the whole process group), and the server then ends this with SIGTERM, whose
    default action is right: a page is one transaction, rolled back if cut short (a handler
    setting an event could deadlock on the event's own lock)."""
    # Named by the server, not read here: a server gone while this process started would
    # leave it another parent from the start.
    parent = int(sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = Settings()
    logging.config.dictConfig(server_log_config(settings.log_level, settings.log_format))
    try:
        store = open_store(settings)
    except Exception as error:  # the server, opening the same store, says why for itself
        logger.warning(
            "the log index will not be kept up to date while this server runs (the first "
            "split, erasure or access request indexes what is new): the store did not open: %s",
            error,
        )
        return
    try:
        index = LogIndex(store, settings.identifier_registry())
        never = threading.Event()  # what tells this process to stop is SIGTERM or the parent
        LogIndexer(index, settings.log_index_seconds, never, settings.db, parent).run()
    finally:
        store.close()


if __name__ == "__main__":
    main()
