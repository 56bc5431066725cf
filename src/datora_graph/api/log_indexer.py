"""Keeps the log index up to date behind ingest while the server runs.

A split, an erasure or an access request first indexes whatever was logged since the last one
(log_index.py): after a day of REST ingest that is a day of observations to parse, tens of
seconds the steward's or the privacy officer's request would wait on. The server does it a
little at a time instead: every `DATORA_LOG_INDEX_SECONDS` it indexes what was logged since,
in small pages, and rests after each page as long as the page took. The work is parsing in
Python, which holds the interpreter, so requests keep at least half of it even while a large
backlog (a bulk load beside the server) is indexed.

Each page is its own transaction, and the store indexes a page only past its position, so
this thread, a request's catch-up and another worker's thread may meet without harm: what one
indexed the others skip. It leaves the index alone while a rebuild runs (the rebuild indexes
the log itself).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from datora_graph.api.incidents import log_background_failure
from datora_graph.domain.errors import DatoraError
from datora_graph.log_index import LogIndex
from datora_graph.services import IdentityService

logger = logging.getLogger(__name__)

PAGE = 2_000
"""Observations one step indexes: about a sixth of a second of a core."""


class LogIndexer:
    """A daemon thread indexing the log of `service`'s store every `seconds`."""

    def __init__(self, service: IdentityService, seconds: float, store_file: Path) -> None:
        self._index = LogIndex(service.store, service.registry)
        self._seconds = seconds
        self._store_file = store_file
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="datora-log-index", daemon=True)
        self._failing = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the page in hand (its transaction ends as it would have)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def catch_up(self) -> int:
        """Index what was logged since the index's position, resting between pages; answers
        how many observations it indexed (fewer when told to stop)."""
        if self._index.store.rebuild_in_progress():
            return 0
        done = 0
        while not self._stop.is_set():
            started = time.monotonic()
            indexed = self._index.index_next(PAGE)
            if not indexed:
                break
            done += indexed
            self._stop.wait(time.monotonic() - started)
        return done

    def _run(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                indexed = self.catch_up()
            except DatoraError as error:  # the store unreachable, or past its read time limit
                if not self._failing:
                    logger.warning(
                        "the log index could not be brought up to date (trying again every "
                        "%g s): %s",
                        self._seconds,
                        error,
                    )
            except Exception as error:
                if not self._failing:
                    log_background_failure(
                        f"bringing the log index up to date failed (trying again every "
                        f"{self._seconds:g} s)",
                        error,
                        self._store_file,
                    )
            else:
                if self._failing:
                    logger.info("the log index is up to date again (%d observations)", indexed)
                self._failing = False
                continue
            self._failing = True
