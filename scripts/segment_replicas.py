"""Grow a store built through the real ingest path to N times its profiles, for timing segment
evaluation at sizes the ingest path would take an hour to build on a 2-core machine.

Segment evaluation reads the derived tables (profiles, identifiers, consent, the activity
aggregates and the per-event credits), so a store of 1M profiles is made from one of 100k by
copying those rows N-1 more times, every ID and identifier key given a suffix (`~r1`, `~r2`,
...): N disjoint copies of the same population, the same distributions and the same indexes.
The observation log and the events table are not copied: segments never read them (the
insights report's events per day does, and so covers the original's events only). Triggers are
dropped while copying (the rows copied already hold what they would compute) and created
again when the store next opens.

    python scripts/segment_replicas.py --base /tmp/seg-100k.db --copies 10 --out /tmp/seg-1m.db
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from datora_graph.config import Settings
from datora_graph.store import open_store

COPIES: dict[str, str] = {
    "profiles": """
        INSERT INTO profiles
            (id, size, type_counts, created_seq, created_at, updated_at, junk, attributes,
             candidates, standard_attributes)
        SELECT id || :suffix, size, type_counts, created_seq, created_at, updated_at, junk,
               attributes, candidates, standard_attributes
        FROM base.profiles ORDER BY created_seq, id
    """,
    "identifiers": """
        INSERT INTO identifiers (key, type, value, profile_id, junk, first_seen)
        SELECT key || :suffix, type, value || :suffix, profile_id || :suffix, junk, first_seen
        FROM base.identifiers ORDER BY key
    """,
    "consent": """
        INSERT INTO consent (identifier_key, purpose, granted, stated_at, source, profile_id)
        SELECT identifier_key || :suffix, purpose, granted, stated_at, source,
               profile_id || :suffix
        FROM base.consent ORDER BY identifier_key, purpose
    """,
    "event_credits": """
        INSERT INTO event_credits
            (event_type, occurred_at, event_id, identifier_key, revenue_cents, properties)
        SELECT event_type, occurred_at, event_id || :suffix, identifier_key || :suffix,
               revenue_cents, properties
        FROM base.event_credits ORDER BY event_type, occurred_at, event_id
    """,
    "identifier_activity": """
        INSERT INTO identifier_activity
            (identifier_key, event_type, events, revenue_cents, first_at, last_at)
        SELECT identifier_key || :suffix, event_type, events, revenue_cents, first_at, last_at
        FROM base.identifier_activity ORDER BY identifier_key, event_type
    """,
    "profile_activity": """
        INSERT INTO profile_activity
            (profile_id, events, orders, revenue_cents, engagement_milli, first_at, last_at,
             type_events)
        SELECT profile_id || :suffix, events, orders, revenue_cents, engagement_milli,
               first_at, last_at, type_events
        FROM base.profile_activity ORDER BY profile_id
    """,
}
LIST_TRIGGERS = "SELECT name FROM sqlite_schema WHERE type = 'trigger'"


def replicate(base: Path, copies: int, out: Path) -> dict[str, float | int]:
    """Write `out`: the store at `base` plus `copies - 1` suffixed copies of its derived rows."""
    if copies < 1:
        raise SystemExit("--copies must be at least 1")
    started = time.perf_counter()
    open_store(Settings(db=base)).close()  # brings an older base file to this release's layout
    _checkpoint(base)
    shutil.copyfile(base, out)
    connection = sqlite3.connect(f"file:{out}", uri=True, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")
        connection.execute("ATTACH DATABASE ? AS base", (f"file:{base}?mode=ro",))
        connection.execute("BEGIN IMMEDIATE")
        for (name,) in connection.execute(LIST_TRIGGERS).fetchall():
            connection.execute(f'DROP TRIGGER "{name}"')
        for copy in range(1, copies):
            for statement in COPIES.values():
                connection.execute(statement, {"suffix": f"~r{copy}"})
            print(f"  copy {copy} of {copies - 1} written", file=sys.stderr, flush=True)
        connection.execute("COMMIT")
    finally:
        connection.close()
    store = open_store(Settings(db=out))  # creates the triggers again
    try:
        profiles = store.stats().profiles
    finally:
        store.close()
    return {"copies": copies, "profiles": profiles, "s": round(time.perf_counter() - started, 1)}


def _checkpoint(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="a store built by ingest")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    print(replicate(args.base, args.copies, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
