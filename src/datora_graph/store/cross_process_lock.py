"""What the stores' writer locks share: one thread of one process holds them at a time.

The part that keeps other processes out (a file lock, a Neo4j transaction) belongs to the
process, not to a thread, so the threads of one process first queue on a thread lock of
their own. A failure while taking the process part lets go of the thread lock again.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from types import TracebackType


class CrossProcessLock(ABC):
    """A context manager: `_take` the process part under the thread lock, `_give_back` it."""

    def __init__(self) -> None:
        self._thread = threading.Lock()

    def __enter__(self) -> None:
        self._thread.acquire()
        try:
            self._take()
        except BaseException:
            self._thread.release()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._give_back(clean=kind is None)
        finally:
            self._thread.release()

    @abstractmethod
    def _take(self) -> None:
        """Wait for the other processes to let go, then hold the process part."""

    @abstractmethod
    def _give_back(self, *, clean: bool) -> None:
        """Let go of the process part; `clean` when the block ended without an exception."""
