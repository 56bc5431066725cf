"""Whether the embedded store's file is sound, read end to end while the service runs.

SQLite reports a damaged page only when a statement meets it (store/sqlite_damage.py), so a
fault in a table nobody has read lately stays hidden until a split, an erasure or a backup
trips over it. SQLite's own check (`PRAGMA quick_check`: every page of every table and index,
their structure and record formats; `integrity_check` also matches each index to its table)
reads the whole file in one read transaction, so writers go on; it reports problems, not a
repair.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from datora_graph.store.sqlite_damage import damage_in

MAX_PROBLEMS = 20
"""SQLite stops listing problems after this many: enough to tell a disk fault's extent."""

Depth = Literal["quick_check", "integrity_check"]


@dataclass(frozen=True, slots=True)
class FileCheck:
    problems: list[str]
    """SQLite's words for each problem found, at most `MAX_PROBLEMS`; empty: sound."""
    size: int
    """Bytes read: the database file and its write-ahead log."""
    seconds: float


def check_file(path: Path, depth: Depth = "quick_check") -> FileCheck:
    """Run SQLite's `depth` check over the existing database at `path`, writing nothing."""
    started = time.perf_counter()
    wal = path.with_name(path.name + "-wal")
    size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    # Not `mode=ro`: a read-only connection cannot remove the write-ahead log and its index
    # when it closes, and would leave them beside a file no one else has open.
    checking = sqlite3.connect(path)
    try:
        checking.execute("PRAGMA query_only = ON")
        verdict = [str(row[0]) for row in checking.execute(f"PRAGMA {depth}({MAX_PROBLEMS})")]
    except sqlite3.DatabaseError as error:
        if damage_in(error) is None:
            raise
        verdict = [str(error)]  # damage the check itself could not read past
    finally:
        checking.close()
    problems = [] if verdict == ["ok"] else _lines(verdict)
    return FileCheck(problems, size, time.perf_counter() - started)


SHOWN = 3


def summary(problems: list[str]) -> str:
    """The first problems in SQLite's words and how many more, for one line of a message."""
    more = len(problems) - SHOWN
    listed = "; ".join(problems[:SHOWN])
    if more <= 0:
        return listed
    counted = f"{more} more" if len(problems) < MAX_PROBLEMS else f"{more} more at least"
    return f"{listed}; and {counted}"


def _lines(verdict: list[str]) -> list[str]:
    """SQLite's rows as one problem per line, without its `*** in database main ***` headers
    (a row may hold several lines)."""
    lines = (line.strip() for row in verdict for line in row.splitlines())
    return [line for line in lines if line and not line.startswith("*** in database")]
