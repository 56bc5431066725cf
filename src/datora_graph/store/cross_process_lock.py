"""What the stores' writer locks share: one thread of one process holds them at a time.

The part that keeps other processes out (a file lock, a Neo4j transaction) belongs to the
process, not to a thread, so the threads of one process first queue on a thread lock of
their own. A failure while taking the process part lets go of the thread lock again.

The holding thread may enter again (a migration holds the target's lock throughout and
ingests each batch through the service, which takes it per batch): only the outermost
block takes and gives back the process part.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from types import TracebackType


class CrossProcessLock(ABC):
    """A context manager: `_take` the process part under the thread lock, `_give_back` it."""

    def __init__(self) -> None:
        self._thread = threading.RLock()
        self._depth = 0
        """How many blocks the holding thread is inside (only it reads or writes this)."""

    def __enter__(self) -> None:
        self._thread.acquire()
        if self._depth == 0:
            try:
                self._take()
            except BaseException:
                self._thread.release()
                raise
        self._depth += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._give_back(clean=kind is None)
        finally:
            self._thread.release()

    @abstractmethod
    def _take(self) -> None:
        """Wait for the other processes to let go, then hold the process part."""

    @abstractmethod
    def _give_back(self, *, clean: bool) -> None:
        """Let go of the process part; `clean` when the block ended without an exception."""
