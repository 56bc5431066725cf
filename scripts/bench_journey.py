"""A journey page of a profile with many identifiers and a long journey, on the embedded store,
the statements that sorted the whole journey beside the ones that merge per-identifier pages,
in the same run on the same file. A script, not a test.

    scripts/bench journeys                      # 100,000 events over 49 identifiers
    scripts/bench journeys --events 300000 --out bench/journeys.json

Builds a store (not timed): a kiosk profile (one device ID seen with 48 cookies, through the
real ingest) whose events are each on one cookie, half of them on the device too, spread over
a year, a tenth of them purchases; and 20 ordinary profiles of two identifiers and 50 events,
for the batched statements GraphQL's DataLoader runs for a page of profiles. Then times each
page statement (median of `--repeat` runs, rows fetched) with the former and the current
statement, checks they answer alike, and writes the figures and the current plans to `--out`.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from datora_graph.config import Settings
from datora_graph.domain.changeset import Changeset
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.moments import iso
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.services import IdentityService
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite import SqliteStore, _journey_params

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine  # the machine description every benchmark records

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600
COOKIES = 48
ORDINARY = 20


def _former_filters(newest_first: bool) -> str:
    past = "<" if newest_first else ">"
    return f"""(:since IS NULL OR ei.occurred_at >= :since)
      AND (:until IS NULL OR ei.occurred_at < :until)
      AND (:types IS NULL OR ei.event_type IN (SELECT value FROM json_each(:types)))
      AND (:after_at IS NULL OR ei.occurred_at {past} :after_at
           OR (ei.occurred_at = :after_at AND ei.event_id {past} :after_id))"""


def _former_page(newest_first: bool) -> str:
    """The statement before per-identifier pages (commit 9f8464d): every matching entry of
    every identifier, deduplicated and sorted, then LIMIT."""
    desc = " DESC" if newest_first else ""
    distinct = "" if newest_first else " DISTINCT"
    group = "GROUP BY ei.occurred_at, ei.event_id" if newest_first else ""
    return f"""
SELECT{distinct} ei.occurred_at, ei.event_id
FROM identifiers i
JOIN event_identifiers ei ON ei.identifier_key = i.key
WHERE i.profile_id = :profile_id
  AND {_former_filters(newest_first)}
{group}
ORDER BY ei.occurred_at{desc}, ei.event_id{desc}
LIMIT :limit
"""


def _former_pages(newest_first: bool) -> str:
    desc = " DESC" if newest_first else ""
    return f"""
WITH wanted (profile_id) AS (SELECT DISTINCT value FROM json_each(:profile_ids)),
hits AS (
    SELECT DISTINCT i.profile_id, ei.occurred_at, ei.event_id
    FROM wanted w
    JOIN identifiers i ON i.profile_id = w.profile_id
    JOIN event_identifiers ei ON ei.identifier_key = i.key
    WHERE {_former_filters(newest_first)}
),
ranked AS (
    SELECT profile_id, occurred_at, event_id,
           row_number() OVER (
               PARTITION BY profile_id ORDER BY occurred_at{desc}, event_id{desc}
           ) AS n
    FROM hits
)
SELECT profile_id, occurred_at, event_id FROM ranked WHERE n <= :limit
ORDER BY profile_id, n
"""


def _former_params(query: JourneyQuery) -> dict[str, Any]:
    after_at, after_id = query.position() or (None, None)
    return {
        "since": iso(query.since) if query.since else None,
        "until": iso(query.until) if query.until else None,
        "types": json.dumps(sorted(query.types)) if query.types else None,
        "after_at": after_at,
        "after_id": after_id,
        "limit": query.first + 1,
    }


def build(path: Path, events: int, seed: int) -> tuple[str, list[str]]:
    """The kiosk and the ordinary profiles, with their events; their IDs."""
    store = SqliteStore(path)
    try:
        service = IdentityService(store, Settings())
        kiosk = [("device_id", "kiosk-1"), *[("cookie_id", f"k-{n}") for n in range(COOKIES)]]
        pairs = [(kiosk[0], cookie) for cookie in kiosk[1:]]
        pairs += [(("email", f"p{n}@acme.io"), ("cookie_id", f"p-{n}")) for n in range(ORDINARY)]
        service.ingest_observations(
            [
                {
                    "id": f"o-{n}",
                    "source": "web",
                    "observed_at": iso(T0),
                    "identifiers": [{"type": t, "value": v} for t, v in pair],
                }
                for n, pair in enumerate(pairs)
            ]
        )
        draw = random.Random(seed)
        device = Identifier(*kiosk[0])
        cookies = [Identifier(*cookie) for cookie in kiosk[1:]]
        batch: list[Event] = []
        for n in range(events):
            on = (draw.choice(cookies),) + ((device,) if draw.random() < 0.5 else ())
            moment = T0 + timedelta(seconds=draw.randrange(YEAR_SECONDS))
            kind = "purchase" if draw.random() < 0.1 else "page_view"
            batch.append(Event(f"ev-{n:07d}", kind, moment, "kiosk", on, {}))
            if len(batch) == 10_000:
                store.commit(Changeset(events=batch))
                batch = []
        for n in range(ORDINARY):
            person = (Identifier("email", f"p{n}@acme.io"), Identifier("cookie_id", f"p-{n}"))
            for k in range(50):
                moment = T0 + timedelta(seconds=draw.randrange(YEAR_SECONDS))
                batch.append(Event(f"ev-p{n}-{k}", "page_view", moment, "web", person, {}))
        store.commit(Changeset(events=batch))
        ids = store.profile_ids_for_identifiers(["device_id:kiosk-1"])
        others = store.profile_ids_for_identifiers([f"email:p{n}@acme.io" for n in range(ORDINARY)])
        return ids["device_id:kiosk-1"], sorted(set(others.values()))
    finally:
        store.close()


def _median_ms(
    db: sqlite3.Connection, statement: str, params: dict[str, Any], repeat: int
) -> float:
    """The median wall time of running `statement` and fetching its rows."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        db.execute(statement, params).fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def cases(first: int, middle: tuple[str, str]) -> dict[str, JourneyQuery]:
    """The pages timed: first pages in both orders, a page mid-journey by cursor, a type, a
    window."""
    q = JourneyQuery(first=first)
    newest = JourneyQuery(first=first, newest_first=True)
    return {
        "oldest first, first page": q,
        "newest first, first page": newest,
        "oldest first, mid-journey cursor": JourneyQuery(first=first, after=q.cursor(*middle)),
        "newest first, mid-journey cursor": JourneyQuery(
            first=first, after=newest.cursor(*middle), newest_first=True
        ),
        "purchases only, oldest first": JourneyQuery(first=first, types=frozenset({"purchase"})),
        "one month, newest first": JourneyQuery(
            first=first,
            since=T0 + timedelta(days=150),
            until=T0 + timedelta(days=180),
            newest_first=True,
        ),
    }


def compare(
    db: sqlite3.Connection, ids: dict[str, str], query: JourneyQuery, batched: bool, repeat: int
) -> dict[str, Any]:
    """The former and the current statement on one page: the same rows, and their times."""
    nf = query.newest_first
    former = (_former_pages if batched else _former_page)(nf)
    current = (
        (sql.JOURNEY_PAGES_NEWEST_FIRST if nf else sql.JOURNEY_PAGES)
        if batched
        else (sql.JOURNEY_PAGE_NEWEST_FIRST if nf else sql.JOURNEY_PAGE)
    )
    old_params = {**ids, **_former_params(query)}
    new_params = {**ids, **_journey_params(query)}
    new_rows = db.execute(current, new_params).fetchall()
    assert db.execute(former, old_params).fetchall() == new_rows, "the statements disagree"
    old_ms = _median_ms(db, former, old_params, repeat)
    new_ms = _median_ms(db, current, new_params, repeat)
    return {
        "statement": f"JOURNEY_PAGES (kiosk + {ORDINARY} profiles)" if batched else "JOURNEY_PAGE",
        "rows": len(new_rows),
        "former_ms": round(old_ms, 3),
        "current_ms": round(new_ms, 3),
        "ratio": round(old_ms / new_ms, 1),
    }


def measure(path: Path, kiosk: str, others: list[str], first: int, repeat: int) -> dict[str, Any]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        entries = db.execute(
            "SELECT count(*), count(DISTINCT ei.event_id) FROM identifiers i "
            "JOIN event_identifiers ei ON ei.identifier_key = i.key WHERE i.profile_id = ?",
            (kiosk,),
        ).fetchone()
        middle = db.execute(
            "SELECT ei.occurred_at, ei.event_id FROM identifiers i JOIN event_identifiers ei "
            "ON ei.identifier_key = i.key WHERE i.profile_id = ? ORDER BY 1, 2 LIMIT 1 OFFSET ?",
            (kiosk, entries[0] // 2),
        ).fetchone()
        ids = {"profile_id": kiosk, "profile_ids": json.dumps([kiosk, *others])}
        rows = [
            {"page": name, **compare(db, ids, query, batched, repeat)}
            for name, query in cases(first, middle).items()
            for batched in (False, True)
        ]
        plan = [
            r[3]
            for r in db.execute(
                "EXPLAIN QUERY PLAN " + sql.JOURNEY_PAGE,
                {"profile_id": kiosk, **_journey_params(JourneyQuery(first=first))},
            )
        ]
    finally:
        db.close()
    store = SqliteStore(path)
    try:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            store.journey(kiosk, JourneyQuery(first=first))
            times.append(time.perf_counter() - started)
        page_ms = statistics.median(times) * 1000
    finally:
        store.close()
    return {
        "index_entries": entries[0],
        "events": entries[1],
        "identifiers": COOKIES + 1,
        "first": first,
        "pages": rows,
        "store_journey_first_page_ms": round(page_ms, 3),
        "current_plan": plan,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="the kiosk's events")
    parser.add_argument("--first", type=int, default=50, help="page size (default 50)")
    parser.add_argument("--repeat", type=int, default=15, help="runs per statement (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "journeys.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journeys.db"
        started = time.perf_counter()
        kiosk, others = build(path, args.events, args.seed)
        print(f"built {args.events:,} events in {time.perf_counter() - started:.0f} s")
        figures = measure(path, kiosk, others, args.first, args.repeat)
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sqlite": sqlite3.sqlite_version,
        "settings": {"events": args.events, "repeat": args.repeat, "seed": args.seed},
        **figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"kiosk: {figures['identifiers']} identifiers, {figures['events']:,} events, "
        f"{figures['index_entries']:,} index entries; pages of {args.first}"
    )
    print(f"{'page':36} {'statement':38} {'former ms':>10} {'current ms':>10} {'ratio':>7}")
    for row in figures["pages"]:
        print(
            f"{row['page']:36} {row['statement']:38} {row['former_ms']:10.2f} "
            f"{row['current_ms']:10.2f} {row['ratio']:6.1f}x"
        )
    print(f"store.journey, first page with its events: {figures['store_journey_first_page_ms']} ms")
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
