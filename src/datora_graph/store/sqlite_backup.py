"""A copy of the embedded store, taken while it serves.

Copying the database file is not a backup: the latest commits live in the write-ahead log
beside it until a checkpoint moves them, and a copy taken during a write can be torn. SQLite's
online backup copies every page of one snapshot (a read transaction: writers go on, and the
copy holds what was committed when it began). It is written to `<name>.partial` and becomes
`<name>` only once complete and checked, so a backup cut short never passes for one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datora_graph.store.sqlite_check import check_file

PROGRESS_INTERVAL_SECONDS = 0.2


class BackupError(Exception):
    """The backup could not be made; the message says why, for the person who asked."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    size: int
    """Bytes of the copy."""
    seconds: float


def back_up(
    source: Path, destination: Path, progress: Callable[[int, int], None] | None = None
) -> Backup:
    """Copy the database at `source` to `destination`, which must not exist; `progress(done,
    total)` in bytes while it copies."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    usable_destination(destination)
    partial = destination.with_name(destination.name + ".partial")
    started = time.monotonic()
    try:
        _copy(source, partial, progress)
        _check(partial)
        _flush(partial)
        os.replace(partial, destination)
        _flush(destination.parent)
    except sqlite3.Error as exc:
        _remove(partial)
        raise BackupError(f"the backup to {destination} failed: {exc}") from exc
    except BaseException:
        _remove(partial)
        raise
    return Backup(destination, destination.stat().st_size, time.monotonic() - started)


def usable_destination(destination: Path) -> None:
    """BackupError unless a backup may be written at `destination`."""
    if destination.exists():
        raise BackupError(f"{destination} exists already: a backup never overwrites a file")
    if not destination.parent.is_dir():
        raise BackupError(f"cannot write {destination}: there is no folder {destination.parent}")


def _copy(source: Path, partial: Path, progress: Callable[[int, int], None] | None) -> None:
    _remove(partial)  # left by a backup cut short
    reading = sqlite3.connect(source, timeout=30.0)
    try:
        page_size, pages = (
            reading.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count")
        )
        writing = sqlite3.connect(partial)
        try:
            # The copy is checked before it takes its name: no journal is needed to keep it whole.
            writing.execute("PRAGMA journal_mode = OFF")
            writing.execute("PRAGMA synchronous = OFF")
            with _reporting(partial, page_size * pages, progress):
                # One step: one snapshot. In steps, every commit of the service in between would
                # start the copy again, and a busy service would keep it from ever finishing.
                reading.backup(writing)
        finally:
            writing.close()
    finally:
        reading.close()


class _reporting:
    """Reports the copy's size as it grows, from a thread, while the one backup step runs."""

    def __init__(
        self, partial: Path, total: int, progress: Callable[[int, int], None] | None
    ) -> None:
        self.partial, self.total, self.progress = partial, total, progress
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="backup-progress", daemon=True)

    def __enter__(self) -> None:
        if self.progress is not None:
            self.thread.start()

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.progress is not None:
            self.thread.join()
            self.progress(self.total, self.total)

    def _watch(self) -> None:
        assert self.progress is not None
        while not self.done.wait(PROGRESS_INTERVAL_SECONDS):
            try:
                size = self.partial.stat().st_size
            except OSError:
                size = 0
            self.progress(min(size, self.total), self.total)


def _check(partial: Path) -> None:
    problems = check_file(partial).problems
    if problems:
        raise BackupError(f"the copy failed SQLite's check: {'; '.join(problems[:5])}")


def _flush(path: Path) -> None:
    """Make the file (or a folder's entry for it) durable before the next step relies on it."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
