"""A damaged database file, told apart from every other failure of the embedded store.

A file SQLite finds damaged (a disk fault, a copy taken while the service wrote, a hand edit)
fails every statement that meets a damaged page, whichever command or request ran it. As an
unexpected failure that was a traceback on the command line and an INTERNAL answer on the
API, neither of which told the operator that the file, not the program, was at fault, nor
what to do. SQLite says so itself: SQLITE_CORRUPT ("database disk image is malformed") or
SQLITE_NOTADB ("file is not a database"), with any extended code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from datora_graph.domain.errors import StoreDamaged

DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

WHAT_TO_DO = (
    "stop the service and restore the latest backup (`datora backup` makes them), or, "
    "without one, copy out what SQLite can still read and rebuild the profiles from it "
    "(README, Backups: a damaged store)"
)


def damage_in(error: BaseException) -> str | None:
    """SQLite's words for the damage when `error`, or an error its traceback shows it was
    raised from or while handling, says the database file is damaged; None for every other
    failure."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.DatabaseError) and _is_damage(current):
            return str(current)
        current = _shown_before(current)
    return None


def _shown_before(error: BaseException) -> BaseException | None:
    """The error a traceback of `error` shows before it, as Python chooses: its cause, else
    the error it was raised while handling, unless that one was hidden (`raise ... from
    None`)."""
    if error.__cause__ is not None:
        return error.__cause__
    return None if error.__suppress_context__ else error.__context__


def damaged_store(path: Path | Sequence[Path], damage: str) -> StoreDamaged:
    """The error naming the damaged file, SQLite's words and what to do; of several files
    (one of which SQLite found damaged, not saying which), each is named."""
    paths = [path] if isinstance(path, Path) else list(path)
    where = " or the one at ".join(str(p) for p in paths)
    return StoreDamaged(f"the SQLite store at {where} is damaged ({damage}): {WHAT_TO_DO}")


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in DAMAGE_CODES
