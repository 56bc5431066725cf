"""Segment evaluation benchmark: how long segments take over a graph of N profiles.

    scripts/bench segments --profiles 1000000 --db /tmp/segments-1m.db
    scripts/bench segments --profiles 1000000 --copies 10 --db /tmp/segments-1m.db

`build_database` fills a store through the real ingest path (observations, then events: the
activity aggregates are kept by the store as events arrive) from the synthetic generator, and
records consent for most email addresses; it is skipped when the database already exists.
`bench_segments` then times each segment of `SEGMENTS` (size, first page of members, export
of consented email contacts), every size at once, and the insights report; `scripts/bench`
calls it on its largest database. Timings are wall clock on a warm page cache, the median
of `repeats` runs, the first (cold) run reported beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from datora_graph.config import Settings
from datora_graph.demo.generator import stream
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService
from datora_graph.store import open_store

PROFILES_PER_PERSON = 1.194
"""Profiles per generated person (measured: guards keep some identifiers apart)."""
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
"""The generated data spans 2024-01-01 to early 2026; windows end here."""
CONSENT_PURPOSE = "email_marketing"
SEGMENTS: dict[str, dict[str, Any]] = {
    "bought twice in 30 days, has email, consented": {
        "all": [
            {"event": {"type": "purchase", "at_least": 2, "within_days": 30}},
            {"identifier": "email"},
            {"consent": CONSENT_PURPOSE},
        ]
    },
    "bought at least twice": {"event": {"type": "purchase", "at_least": 2}},
    "revenue at least 100": {"trait": "total_revenue", "gte": 100},
    "high CLV and engaged": {
        "all": [
            {"trait": "customer_lifetime_value", "gte": 500},
            {"trait": "engagement_score", "gte": 50},
        ]
    },
    "Boston, seen in 90 days": {
        "all": [{"attribute": "city", "eq": "Boston"}, {"trait": "recency_days", "lte": 90}]
    },
    "browsing or reading lately": {
        "any": [
            {"event": {"type": "page_view", "at_least": 3, "within_days": 90}},
            {"event": {"type": "email_open", "within_days": 30}},
        ]
    },
    "big order this year": {
        "event": {"type": "purchase", "within_days": 365, "where": {"revenue": {"gte": 100}}}
    },
    "email without consent": {
        "all": [{"identifier": "email"}, {"not": {"consent": CONSENT_PURPOSE}}]
    },
    "well-described profiles": {"trait": "data_quality", "gte": 0.6},
}


def build_database(profiles: int, db: Path, seed: int = 7) -> dict[str, Any]:
    """A store of about `profiles` profiles at `db`, made through the real ingest path."""
    people = round(profiles / PROFILES_PER_PERSON)
    settings = Settings(db=db)
    store = open_store(settings)
    service = IdentityService(store, settings)
    timings: dict[str, Any] = {"people": people}
    try:
        started = time.perf_counter()
        observations = (i for k, i in stream(people, seed, events=0) if k == "observation")
        report = service.ingest_stream("observation", observations, _progress("observations"))
        timings["observations"] = report.accepted
        timings["observations_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        events = (i for k, i in stream(people, seed) if k == "event")
        report = service.ingest_stream("event", events, _progress("events"))
        timings["events"] = report.accepted
        timings["events_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        timings["consent_statements"] = _record_consent(store, db)
        timings["consent_s"] = round(time.perf_counter() - started, 1)
    finally:
        store.close()
    return timings


def _record_consent(store: Any, db: Path, batch: int = 20_000) -> int:
    """Email marketing consent for about 70% of real email addresses, a tenth of it withdrawn
    later; chosen by a hash of the address, so it is the same on every run."""
    reader = sqlite3.connect(db)
    recorded = 0
    try:
        cursor = reader.execute("SELECT value FROM identifiers WHERE type = 'email' AND junk = 0")
        while rows := cursor.fetchmany(batch):
            statements = []
            for (value,) in rows:
                roll = int(hashlib.blake2b(value.encode(), digest_size=2).hexdigest(), 16) % 100
                if roll >= 70:
                    continue
                email = Identifier("email", value)
                at = AS_OF - timedelta(days=400 - roll)
                statements.append(ConsentStatement(email, CONSENT_PURPOSE, "granted", at, "web"))
                if roll < 7:
                    later = at + timedelta(days=30)
                    statements.append(
                        ConsentStatement(email, CONSENT_PURPOSE, "withdrawn", later, "unsubscribe")
                    )
            store.record_consent(statements)
            recorded += len(statements)
    finally:
        reader.close()
    return recorded


def bench_segments(db: Path, repeats: int = 3, as_of: datetime = AS_OF) -> dict[str, Any]:
    """Time every segment of `SEGMENTS` over the store at `db` (defined there if missing)."""
    settings = Settings(db=db)
    store = open_store(settings)
    service = SegmentService(store, settings)
    results: dict[str, Any] = {"as_of": as_of.isoformat(), "segments": {}}
    try:
        segments = []
        for name, definition in SEGMENTS.items():
            existing = store.segment_by_name(name)
            segment = existing or service.define_segment(name, definition, purpose=CONSENT_PURPOSE)
            segments.append(segment)
        for segment in segments:
            size_runs = _timed(repeats, lambda s=segment: service.size(s.id, as_of=as_of))
            page_runs = _timed(repeats, lambda s=segment: service.members(s.id, 50, as_of=as_of))
            started = time.perf_counter()
            rows = sum(1 for _ in service.export_contacts(segment.id, "email", as_of=as_of))
            export_s = time.perf_counter() - started
            size = service.size(segment.id, as_of=as_of)
            results["people"] = size.people
            results["segments"][segment.name] = {
                "definition": json.dumps(SEGMENTS[segment.name]),
                "size": size.size,
                "share": round(size.share, 4),
                "size_s": _summary(size_runs),
                "first_page_s": _summary(page_runs),
                "export_email_rows": rows,
                "export_s": round(export_s, 3),
            }
            _print(segment.name, results["segments"][segment.name])
        all_runs = _timed(repeats, lambda: service.segment_sizes(as_of=as_of))
        results["all_sizes_s"] = _summary(all_runs)
        insight_runs = _timed(1, lambda: service.insights(as_of=as_of))
        results["insights_s"] = _summary(insight_runs)
    finally:
        store.close()
    return results


def _timed(repeats: int, run: Any) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    return {"cold": round(times[0], 3), "median": round(statistics.median(times), 3)}


def _progress(label: str) -> Any:
    done = 0
    last = time.perf_counter()

    def advance(count: int) -> None:
        nonlocal done, last
        done += count
        if time.perf_counter() - last > 30:
            last = time.perf_counter()
            print(f"  {label}: {done:,}", file=sys.stderr, flush=True)

    return advance


def _print(name: str, row: dict[str, Any]) -> None:
    print(
        f"{name:48} size {row['size']:>9,} ({row['share']:.1%})  "
        f"size {row['size_s']['median']:.3f}s (cold {row['size_s']['cold']:.3f}s)  "
        f"page {row['first_page_s']['median']:.3f}s  export {row['export_s']:.3f}s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, required=True, help="built here when missing")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="build 1/COPIES of the profiles through ingest, then copy them COPIES-1 more "
        "times under suffixed IDs (segment_replicas.py); default 1: all through ingest",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench import machine

    results: dict[str, Any] = {"machine": machine()}
    if not args.db.exists():
        base = args.db if args.copies == 1 else args.db.with_suffix(".base.db")
        wanted = round(args.profiles / args.copies)
        if not base.exists():
            print(f"building {base} with about {wanted:,} profiles", file=sys.stderr)
            results["build"] = build_database(wanted, base)
            print(json.dumps(results["build"]), file=sys.stderr)
        if args.copies > 1:
            from segment_replicas import replicate

            print(f"copying it {args.copies - 1} more times into {args.db}", file=sys.stderr)
            results["replicas"] = replicate(base, args.copies, args.db)
            print(json.dumps(results["replicas"]), file=sys.stderr)
    if not args.build_only:
        results["evaluation"] = bench_segments(args.db, args.repeats)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
