"""IDs the embedded store never gives twice: review items, cannot-links and must-links.

SQLite gives a new row the highest ID stored plus one, so once an erasure or an undo deleted
the newest rows, their IDs came back for new ones, and what named the old ones named the new:
a steward decision records the constraints it made by ID (an undo deletes those, a rebuild
wakes them at the decision's place), its audit entry the review item it resolved. Each table's
highest ID ever given is kept in `meta` instead; a file written before is read from its rows.
"""

from __future__ import annotations

import sqlite3

from datora_graph.store.sqlite_sql import GET_META, SET_META

ISSUED = {
    "review_items": "review_items_issued",
    "cannot_link": "cannot_links_issued",
    "must_link": "must_links_issued",
}
"""The tables whose IDs are kept from reuse, with the `meta` key of each one's high-water mark."""


def reserve_ids(db: sqlite3.Connection, table: str, count: int) -> int:
    """The first of `count` IDs of `table` never given before, reserved in the caller's
    transaction (0 when `count` is 0)."""
    if count == 0:
        return 0
    key = ISSUED[table]
    row = db.execute(GET_META, (key,)).fetchone()
    issued = 0 if row is None else int(row[0])
    top = int(db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])
    first = max(issued, top) + 1
    db.execute(SET_META, (key, str(first + count - 1)))
    return first
