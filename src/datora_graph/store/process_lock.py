"""A lock between processes writing one embedded store: an advisory lock on a file beside it.

Each batch is resolved against a snapshot of the graph and then rewrites that part of it, so
two processes ingesting into one SQLite file at once (a `datora ingest` while `datora serve`
takes REST batches) would each commit a changeset computed from a state the other had
already changed. SQLite serialises the commits but not the read-resolve-commit cycles; this
lock does, for every process on the machine: `IdentityService` holds it around each cycle.

`flock` on `<database>-writer.lock`, taken and released per cycle, so writers interleave
batch by batch. Where `fcntl` does not exist (Windows) there is no lock, and one writing
process per store is the rule (README: Scaling out).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from datora_graph.store.cross_process_lock import CrossProcessLock

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]


class ProcessLock(CrossProcessLock):
    """An exclusive lock on `path` for one thread of one process at a time. The lock file is
    opened once per process, and `flock` does not keep apart two threads sharing a file,
    hence the thread lock of `CrossProcessLock`: every part of this process that writes
    (ingest, stewards, segment updates) can take the one lock without sharing another."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._fd: int | None = None
        self._guard = threading.Lock()

    def _take(self) -> None:
        if fcntl is None:
            return
        with self._guard:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fd = self._fd
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _give_back(self, *, clean: bool) -> None:
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._guard:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
