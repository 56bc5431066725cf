"""The tables a store file has had, listed in its `meta`, so that a table it lost is noticed
when it is opened instead of being made again, empty.

The first release's tables are in every store (`sqlite_sql.FIRST_TABLES`), but later releases
make theirs on first use (API keys, the audit log, steward decisions, the log index), so an
older store lacks them for good reason and their absence alone says nothing. A store that
lost `api_keys` would otherwise get an empty one, and every key would be "not known"; one
that lost `audit_log` would go on with its history gone. The list is added to each time a
table is made, and never shortened: no release drops a table for good.
"""

from __future__ import annotations

import json
import sqlite3

from datora_graph.store.sqlite_sql import FIRST_TABLES, GET_META, LIST_TABLES, SET_META

TABLES_KEY = "tables"


def tables_in(db: sqlite3.Connection) -> set[str]:
    """The store's own tables in the file (SQLite's internal `sqlite_*` tables left out:
    SQLite makes and drops those itself)."""
    return {row[0] for row in db.execute(LIST_TABLES) if not row[0].startswith("sqlite_")}


def recorded_tables(db: sqlite3.Connection) -> set[str]:
    row = db.execute(GET_META, (TABLES_KEY,)).fetchone()
    return set() if row is None else set(json.loads(row[0]))


def record_tables(writer: sqlite3.Connection) -> None:
    """Add the tables the file holds now to those listed. In the writer's transaction if one
    is open; else in one of its own, so two processes adding at once both keep theirs, and
    only when there is a table to add: opening a store takes no write lock for it."""
    if writer.in_transaction:
        _add_present(writer)
        return
    if tables_in(writer) <= recorded_tables(writer):
        return
    writer.execute("BEGIN IMMEDIATE")
    try:
        _add_present(writer)
    except BaseException:
        writer.execute("ROLLBACK")
        raise
    writer.execute("COMMIT")


def _add_present(db: sqlite3.Connection) -> None:
    recorded = recorded_tables(db)
    if not (present := tables_in(db)) <= recorded:
        db.execute(SET_META, (TABLES_KEY, json.dumps(sorted(recorded | present))))


def looks_like_a_store(present: set[str]) -> bool:
    """A file holding `meta`, or most of the first release's tables (a store that lost its
    `meta`), is a store; another program's database holds neither."""
    return "meta" in present or len(present & FIRST_TABLES) * 2 > len(FIRST_TABLES)


def lost_tables(db: sqlite3.Connection, present: set[str]) -> set[str]:
    """The tables a store should hold and does not (of those it listed, only while it has
    the `meta` table listing them)."""
    listed = recorded_tables(db) if "meta" in present else set()
    return (listed | FIRST_TABLES) - present
