"""Where a bulk ingest's CPU goes, phase by phase. A script, not a test.

    scripts/bench phases                                   # generates 300k observations
    scripts/bench phases --observations 1000000 --out bench/phases.json
    scripts/bench phases --file observations.jsonl --db /tmp/x.db

Runs the same bulk path as `datora ingest observations FILE` (a parser process beside this
one, `IdentityService.ingest_parsed_stream`) into a fresh store, in this process, with a
timer around each phase of the ingesting thread. Timers read that thread's own CPU clock
(`time.thread_time`), so waiting for the parser counts nowhere; the parser process's CPU is
read from its resource usage once it has ended, and the CPU of this process's other threads
(the write-ahead log checkpoints) is what remains of the process total. Each SQLite statement
of a commit is timed on its own. The timers cost a little themselves: the total is a few
percent above an untimed run (`scripts/bench`).

On 2 cores, N observations/s leave 2/N s of CPU per observation, however the work is split:
the table's last column is the share of that budget at the target of 30,000/s.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import datora_graph.bulk as bulk
import datora_graph.resolution.engine as engine
import datora_graph.services as services
import datora_graph.store.sqlite as sqlite_store
from datora_graph.config import Settings
from datora_graph.demo.generator import people_for_observations, write_files
from datora_graph.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine  # the machine description every benchmark records

ROOT = Path(__file__).resolve().parent.parent
TARGET_PER_S = 30_000
CORES = 2
_F = TypeVar("_F", bound=Callable[..., Any])


class PhaseClock:
    """CPU seconds of the ingesting thread, by phase; a phase inside another is counted in
    the inner one only."""

    def __init__(self) -> None:
        self.cpu: defaultdict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._mark = 0.0

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.thread_time()
        if self._stack:
            self.cpu[self._stack[-1]] += started - self._mark
        self._stack.append(name)
        self._mark = started
        try:
            yield
        finally:
            now = time.thread_time()
            self.cpu[name] += now - self._mark
            self._stack.pop()
            self._mark = now

    def wrap(self, name: str, function: _F) -> _F:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return function(*args, **kwargs)

        return timed  # type: ignore[return-value]


class _TimedConnection:
    """The writing connection as a commit uses it, each statement timed as its own phase."""

    def __init__(self, connection: Any, clock: PhaseClock) -> None:
        self._connection = connection
        self._clock = clock

    def _name(self, statement: str) -> str:
        words = statement.split()
        if words[0].upper() != "SELECT":
            return "sqlite: " + " ".join(words[:3]).lower()
        tables = [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("FROM", "JOIN")]
        return f"sqlite: read {tables[-1]}"

    def executemany(self, statement: str, rows: Any) -> Any:
        rows = list(rows)  # built outside the statement's timer
        with self._clock.phase(self._name(statement)):
            return self._connection.executemany(statement, rows)

    def execute(self, statement: str, *parameters: Any) -> Any:
        with self._clock.phase(self._name(statement)):
            return self._connection.execute(statement, *parameters)


def instrument(clock: PhaseClock) -> None:
    """Timers around the phases of the bulk path (private names: this script breaks loudly,
    not silently, when they change)."""
    store = sqlite_store.SqliteStore
    for owner, name, phase in (
        (bulk.ParsedObservationFile, "_receive", "receive batches from the parser"),
        (bulk.ParsedObservationFile, "_batch", "wire tuples to observations"),
        (store, "known_observation_ids", "sqlite: known observation ids"),
        (store, "last_sequence", "sqlite: last sequence"),
        (store, "load_snapshot", "snapshot: read and decode"),
        (engine.ResolutionEngine, "resolve", "engine: resolve observations"),
        (engine.ResolutionEngine, "_changeset", "engine: changeset"),
        (services, "merge_audit_entries", "audit entries"),
        (store, "commit", "commit: rows and bookkeeping"),
    ):
        setattr(owner, name, clock.wrap(phase, getattr(owner, name)))
    duplicates = services.IdentityService._drop_duplicates
    services.IdentityService._drop_duplicates = clock.wrap(  # type: ignore[method-assign]
        "drop duplicates", duplicates
    )
    write = sqlite_store.write_changeset

    def timed_write(db: Any, *args: Any, **kwargs: Any) -> None:
        connection: Any = _TimedConnection(db, clock)
        write(connection, *args, **kwargs)

    sqlite_store.write_changeset = timed_write
    transaction = store._transaction

    @contextmanager
    def timed_transaction(self: Any) -> Iterator[Any]:
        """The transaction as before, its COMMIT (in the context's exit) timed as a phase."""
        context = transaction(self)
        db = context.__enter__()
        try:
            yield db
        except BaseException:
            if not context.__exit__(*sys.exc_info()):
                raise
            return
        with clock.phase("sqlite: commit"):
            context.__exit__(None, None, None)

    store._transaction = timed_transaction  # type: ignore[method-assign]


def measure(file: Path, db: Path) -> dict[str, Any]:
    clock = PhaseClock()
    instrument(clock)
    settings = Settings(db=db)
    store = open_store(settings)
    service = services.IdentityService(store, settings)
    started, cpu_started = time.perf_counter(), time.process_time()
    thread_started = time.thread_time()
    with bulk.ParsedObservationFile(file, settings) as parsed, bulk.fewer_collections():
        report = service.ingest_parsed_stream(parsed)
    wall = time.perf_counter() - started
    thread_cpu = time.thread_time() - thread_started
    process_cpu = time.process_time() - cpu_started
    store.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    observations = report.total
    phases = dict(clock.cpu)
    phases["ingesting thread, outside the phases above"] = thread_cpu - sum(clock.cpu.values())
    phases["other threads of the ingesting process (WAL checkpoints)"] = process_cpu - thread_cpu
    phases["parser process"] = children.ru_utime + children.ru_stime
    return {
        "observations": observations,
        "accepted": report.accepted,
        "wall_s": round(wall, 2),
        "observations_per_s": round(observations / wall),
        "cpu_s": round(sum(phases.values()), 2),
        "cpu_us_per_observation": round(sum(phases.values()) / observations * 1e6, 1),
        "phases_us_per_observation": {
            name: round(seconds / observations * 1e6, 1)
            for name, seconds in sorted(phases.items(), key=lambda item: -item[1])
        },
    }


def print_table(result: dict[str, Any]) -> None:
    budget = CORES / TARGET_PER_S * 1e6
    phases = result["phases_us_per_observation"]
    width = max(len(name) for name in phases)
    print(f"{'phase':<{width}}  µs/obs  share of {budget:.0f} µs")
    for name, micros in phases.items():
        print(f"{name:<{width}}  {micros:6.1f}  {micros / budget:6.0%}")
    total = result["cpu_us_per_observation"]
    print(f"{'total':<{width}}  {total:6.1f}  {total / budget:6.0%}")
    print(
        f"\n{result['observations']:,} observations in {result['wall_s']} s "
        f"({result['observations_per_s']:,}/s with the timers on)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, default=300_000)
    parser.add_argument("--file", type=Path, help="an observation file (default: generate one)")
    parser.add_argument("--db", type=Path, help="the store to create (default: a temp file)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "phases.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="datora-phases-") as work:
        file = args.file
        if file is None:
            write_files(Path(work), people_for_observations(args.observations), args.seed, 0.0)
            file = Path(work) / "observations.jsonl"
        db = args.db or Path(work) / "datora.db"
        if db.exists():
            raise SystemExit(f"{db} exists: the phases are measured into a fresh store")
        result = {
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": machine(),
            "file": str(args.file) if args.file else f"generated, seed {args.seed}",
            **measure(file, db),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
