"""A journey page of a profile with many identifiers and a long journey, on the embedded store,
the statements that sorted the whole journey beside the ones that merge per-identifier pages,
in the same run on the same file; and what the typed index costs a bulk event ingest. A
script, not a test.

    scripts/bench journeys                      # 100,000 events over 49 identifiers
    scripts/bench journeys --events 300000 --out bench/journeys.json

Builds a store (not timed): a kiosk profile (one device ID seen with 48 cookies, through the
real ingest) whose events are each on one cookie, half of them on the device too, spread over
a year, a tenth of them purchases and one in a hundred support calls; and 20 ordinary profiles
of two identifiers and 50 events, for the batched statements GraphQL's DataLoader runs for a
page of profiles. Then times each page statement (median of `--repeat` runs, rows fetched)
with the former and the current statement, checks they answer alike, and writes the figures
and the current plans to `--out`. A typed page is also timed with two other ways of
reading typed pages: each identifier's primary-key range filtered by type until it has a page
(the statement before the typed index), and a page per identifier and type (the types joined
as rows, `event_type = t.value`, from the typed index). Each is timed and its SQLite VM
instructions counted, which the machine's load does not change.

The ingest cost: the demo generator's events of `--ingest-people` people (their observations
ingested first, not timed) ingested through `IdentityService.ingest_stream` into copies of
one store, with the typed index and without it, alternately, `--ingest-rounds` times each.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from datora_graph.config import Settings
from datora_graph.demo.generator import stream
from datora_graph.domain.changeset import Changeset
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.moments import iso
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.services import IdentityService
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_reads import journey_params

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine  # the machine description every benchmark records

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600
COOKIES = 48
ORDINARY = 20
_KIND_SHARES = (0.1, 0.11)
_KINDS = ("purchase", "support_call", "page_view")
"""A tenth of the kiosk's events are purchases, one in a hundred support calls (drawn so the
purchases are the ones the runs before support calls had)."""
TYPED_INDEX = "event_identifiers_by_type"


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
            kind = _KINDS[bisect.bisect(_KIND_SHARES, draw.random())]
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


def _race(
    db: sqlite3.Connection, runs: dict[str, tuple[str, dict[str, Any]]], repeat: int
) -> dict[str, tuple[float, int]]:
    """The median wall time (ms, rows fetched) and the SQLite VM instructions of each named
    statement. The statements take turns, so a machine that other work slows slows them alike;
    the instruction counts do not depend on the machine's load at all."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, (statement, params) in runs.items():
            started = time.perf_counter()
            db.execute(statement, params).fetchall()
            times[name].append(time.perf_counter() - started)
    return {
        name: (statistics.median(times[name]) * 1000, _instructions(db, *runs[name]))
        for name in runs
    }


def _instructions(db: sqlite3.Connection, statement: str, params: dict[str, Any]) -> int:
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    db.set_progress_handler(tick, 1)
    try:
        db.execute(statement, params).fetchall()
    finally:
        db.set_progress_handler(None, 1)
    return count


def cases(first: int, middle: tuple[str, str]) -> dict[str, JourneyQuery]:
    """The pages timed: first pages in both orders, a page mid-journey by cursor, a common
    type, a rare one, two types, a window."""
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
        "support calls only, oldest first": JourneyQuery(
            first=first, types=frozenset({"support_call"})
        ),
        "purchases and support calls, newest first": JourneyQuery(
            first=first, types=frozenset({"purchase", "support_call"}), newest_first=True
        ),
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
    current = sql.JOURNEY_STATEMENTS[batched, nf, bool(query.types)]
    old_params = {**ids, **_former_params(query)}
    new_params = {**ids, **journey_params(query)}
    new_rows = db.execute(current, new_params).fetchall()
    assert db.execute(former, old_params).fetchall() == new_rows, "the statements disagree"
    runs = {"former": (former, old_params), "current": (current, new_params)}
    if query.types:
        for name, option in _TYPE_OPTIONS.items():
            runs[name] = (option(batched, nf), new_params)
            assert db.execute(runs[name][0], new_params).fetchall() == new_rows, name
    timed = _race(db, runs, repeat)
    new_ms, new_instructions = timed.pop("current")
    figures: dict[str, Any] = {
        "statement": f"JOURNEY_PAGES (kiosk + {ORDINARY} profiles)" if batched else "JOURNEY_PAGE",
        "rows": len(new_rows),
        "current_ms": round(new_ms, 3),
        "current_instructions": new_instructions,
    }
    for name, (ms, instructions) in timed.items():
        figures[f"{name}_ms"] = round(ms, 3)
        figures[f"{name}_ratio"] = round(ms / new_ms, 1)
        figures[f"{name}_instructions"] = instructions
        figures[f"{name}_instructions_ratio"] = round(instructions / new_instructions, 1)
    return figures


def _filtered(batched: bool, newest_first: bool) -> str:
    """Per-identifier pages read from the primary key, filtered by type: the statement before
    the typed index (commit 6cae2e5)."""
    statement = sql.JOURNEY_STATEMENTS[batched, newest_first, False]
    desc = " DESC" if newest_first else ""
    order = f"\n        ORDER BY x.occurred_at{desc}"
    filtered = "\n          AND x.event_type IN (SELECT value FROM json_each(:types))"
    assert statement.count(order) == 1
    return statement.replace(order, filtered + order)


def _per_type(batched: bool, newest_first: bool) -> str:
    """A page per identifier and type asked for, joined to the types as rows (`event_type =
    t.value`), from the typed index, which the planner chooses for it unprompted."""
    statement = sql.JOURNEY_STATEMENTS[batched, newest_first, True]
    identifiers = (
        "JOIN identifiers i ON i.profile_id = w.profile_id\n" if batched else "FROM identifiers i\n"
    )
    for old, new in (
        (" INDEXED BY event_identifiers_by_type", ""),
        ("x.event_type IN (SELECT value FROM json_each(:types))", "x.event_type = t.value"),
        (identifiers, f"{identifiers}JOIN json_each(:types) t\n"),
    ):
        assert statement.count(old) == 1, old
        statement = statement.replace(old, new)
    return statement


_TYPE_OPTIONS = {"filtered": _filtered, "per_type": _per_type}
"""The other ways to read a typed page, timed beside the current one: names and statements."""


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
        plans = {
            name: [
                r[3]
                for r in db.execute(
                    "EXPLAIN QUERY PLAN " + sql.JOURNEY_STATEMENTS[False, False, typed],
                    {"profile_id": kiosk, **journey_params(query)},
                )
            ]
            for name, typed, query in (
                ("current_plan", False, JourneyQuery(first=first)),
                ("typed_plan", True, JourneyQuery(first=first, types=frozenset({"purchase"}))),
            )
        }
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
        **plans,
    }


def ingest_cost(people: int, seed: int, rounds: int) -> dict[str, Any]:
    """Events per second (wall clock) and CPU microseconds per event (the whole process's, the
    WAL checkpointer's thread included) of a bulk event ingest with the typed index and
    without it: the median over rounds that alternate the two."""
    observations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for kind, item in stream(people, seed):
        if kind != "truth":
            (observations if kind == "observation" else events).append(item)
    times: dict[str, list[tuple[float, float]]] = {"with_index": [], "without_index": []}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.db"
        store = SqliteStore(base)
        try:
            IdentityService(store, Settings()).ingest_stream("observation", observations)
        finally:
            store.close()
        for n in range(rounds):
            for variant, seconds in times.items():
                path = Path(folder) / f"{variant}-{n}.db"
                with closing(sqlite3.connect(base)) as source, closing(sqlite3.connect(path)) as db:
                    source.backup(db)
                    if variant == "without_index":
                        db.execute(f"DROP INDEX {TYPED_INDEX}")
                store = SqliteStore(path)
                if variant == "without_index":
                    # Opening builds a missing index (as for an older file): drop it again.
                    with closing(sqlite3.connect(path)) as db:
                        db.execute(f"DROP INDEX {TYPED_INDEX}")
                try:
                    service = IdentityService(store, Settings())
                    started, cpu = time.perf_counter(), time.process_time()
                    report = service.ingest_stream("event", events)
                    seconds.append((time.perf_counter() - started, time.process_time() - cpu))
                    assert report.accepted == len(events), report
                finally:
                    store.close()
                path.unlink()
    rate = {v: len(events) / statistics.median(t[0] for t in ts) for v, ts in times.items()}
    cpu_us = {v: 1e6 * statistics.median(t[1] for t in ts) / len(events) for v, ts in times.items()}
    return {
        "people": people,
        "observations": len(observations),
        "events": len(events),
        "rounds": rounds,
        "events_per_s_with_index": round(rate["with_index"]),
        "events_per_s_without_index": round(rate["without_index"]),
        "cpu_us_per_event_with_index": round(cpu_us["with_index"], 1),
        "cpu_us_per_event_without_index": round(cpu_us["without_index"], 1),
        "cpu_cost": round(cpu_us["with_index"] / cpu_us["without_index"] - 1, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="the kiosk's events")
    parser.add_argument("--first", type=int, default=50, help="page size (default 50)")
    parser.add_argument("--repeat", type=int, default=15, help="runs per statement (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ingest-people", type=int, default=20_000, help="for the ingest cost")
    parser.add_argument("--ingest-rounds", type=int, default=3, help="ingests per variant")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "journeys.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journeys.db"
        started = time.perf_counter()
        kiosk, others = build(path, args.events, args.seed)
        print(f"built {args.events:,} events in {time.perf_counter() - started:.0f} s")
        figures = measure(path, kiosk, others, args.first, args.repeat)
    started = time.perf_counter()
    ingest = ingest_cost(args.ingest_people, args.seed, args.ingest_rounds)
    print(f"ingest cost measured in {time.perf_counter() - started:.0f} s")
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sqlite": sqlite3.sqlite_version,
        "settings": {"events": args.events, "repeat": args.repeat, "seed": args.seed},
        **figures,
        "event_ingest": ingest,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"kiosk: {figures['identifiers']} identifiers, {figures['events']:,} events, "
        f"{figures['index_entries']:,} index entries; pages of {args.first}"
    )
    print(f"{'page':44} {'statement':36} {'current ms':>10}  ms and VM instructions x current")
    for row in figures["pages"]:
        others = ", ".join(
            f"{name} {row[name + '_ms']:.2f} ({row[name + '_ratio']}x, "
            f"{row[name + '_instructions_ratio']}x)"
            for name in ("former", *_TYPE_OPTIONS)
            if name + "_ms" in row
        )
        print(f"{row['page']:44} {row['statement']:36} {row['current_ms']:10.2f}  {others}")
    print(f"store.journey, first page with its events: {figures['store_journey_first_page_ms']} ms")
    print(
        f"event ingest ({ingest['events']:,} events): {ingest['events_per_s_with_index']:,}/s "
        f"and {ingest['cpu_us_per_event_with_index']} CPU us/event with the typed index, "
        f"{ingest['events_per_s_without_index']:,}/s and "
        f"{ingest['cpu_us_per_event_without_index']} without (CPU {ingest['cpu_cost']:+.1%})"
    )
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
