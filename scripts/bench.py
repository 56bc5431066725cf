"""Benchmark Datora Graph on synthetic data with ground truth. A script, not a test.

    scripts/bench --sizes 100000,1000000 --rest-requests 2000 --out bench/results.json

For each size (observations): generate a data set into a temporary directory (not timed);
ingest it with `datora ingest observations FILE --db X` in a subprocess, timing its wall
clock and reading its peak RSS from `os.wait4` (that child's own `ru_maxrss`, KiB on Linux,
unlike `RUSAGE_CHILDREN`, which is the largest of every child so far); export the profiles
and score them against the truth, beside the naive networkx connected-components baseline on
the same observations; and check that every identifier of the accepted input is in the
export. Then start `datora serve` over the last database and time single-observation POSTs
on 127.0.0.1. Results go to `--out` as JSON, and a table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import httpx

from datora_graph.access_service import create_key
from datora_graph.config import Settings
from datora_graph.demo.evaluation import (
    components_of,
    evaluate,
    identifier_groups,
    person_key,
)
from datora_graph.demo.generator import people_for_observations, stream, write_files
from datora_graph.log_index import LogIndex
from datora_graph.services import IdentityService
from datora_graph.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = 7


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="100000",
        help="comma-separated observation counts (default: 100000)",
    )
    parser.add_argument("--rest-requests", type=int, default=2000, help="POSTs to time")
    parser.add_argument("--skip-rest", action="store_true", help="do not measure REST latency")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--shared-contacts",
        type=float,
        default=0.0,
        help="harder data: share of multi-person households sharing a family email and a "
        "landline (default 0)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data sets and databases")
    parser.add_argument(
        "--only",
        choices=["precision"],
        help="run one section alone: precision = guarded engine vs connected components on "
        "the noisiest data (bench_precision.py)",
    )
    parser.add_argument(
        "--people", type=int, default=20_000, help="people for the precision section"
    )
    args = parser.parse_args(argv)
    if args.only == "precision":
        return _precision_only(args.people, args.seed, args.out)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]

    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "settings": _settings_summary(Settings()),
        "seed": args.seed,
        "shared_contacts": args.shared_contacts,
        "runs": [],
    }
    work = Path(tempfile.mkdtemp(prefix="datora-bench-"))
    db: Path | None = None
    for size in sizes:
        print(f"== {size:,} observations", file=sys.stderr)
        run, db = bench_size(size, work / str(size), args.seed, args.shared_contacts)
        results["runs"].append(run)
        _write(args.out, results)
    if not args.skip_rest and db is not None:
        print(f"== REST: {args.rest_requests:,} single-observation POSTs", file=sys.stderr)
        results["rest"] = {
            "database_of_run": sizes[-1],
            **rest_latency(db, args.rest_requests, args.seed, work),
        }
        _write(args.out, results)
    print_table(results)
    print(f"\nresults: {args.out}")
    if args.keep:
        print(f"data sets and databases kept in {work}")
    else:
        shutil.rmtree(work)
    return 0


def _precision_only(people: int, seed: int, out: Path) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_precision import bench_precision, table

    if out == ROOT / "bench" / "results.json":
        out = ROOT / "bench" / "precision.json"
    result = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "seed": seed,
        **bench_precision(people, seed),
    }
    _write(out, result)
    print(table(result))
    print(f"\nresults: {out}")
    return 0


# -- one size ---------------------------------------------------------------------------------
def bench_size(
    size: int, directory: Path, seed: int, shared_contacts: float
) -> tuple[dict[str, Any], Path]:
    people = people_for_observations(size)
    started = time.perf_counter()
    counts = write_files(directory, people, seed, 0.0, shared_contacts)
    generate_s = time.perf_counter() - started
    observations_file = directory / "observations.jsonl"
    db = directory / "datora.db"

    empty = directory / "empty.jsonl"
    empty.write_text("")
    startup_s, _, _, _ = run_measured(
        datora("ingest", "observations", str(empty), "--db", str(directory / "empty.db")),
        directory / "startup.log",
    )
    _step(f"generated {counts['observation']:,} observations in {generate_s:.1f} s; ingesting")
    wall_s, max_rss_kib, code, cpu_s = run_measured(
        datora("ingest", "observations", str(observations_file), "--db", str(db)),
        directory / "ingest.log",
    )
    if code != 0:
        log = (directory / "ingest.log").read_text()[-2000:]
        raise SystemExit(f"datora ingest failed with exit code {code}:\n{log}")

    _step(f"ingested in {wall_s:.1f} s; exporting and scoring")
    settings = Settings(db=db)
    store = open_store(settings)
    try:
        service = IdentityService(store, settings)
        stats = service.stats()
        started = time.perf_counter()
        exported = {
            profile.id: [i.identifier.key for i in profile.identifiers]
            for profile in service.export_profiles()
        }
        export_s = time.perf_counter() - started
    finally:
        store.close()

    truth = _read_truth(directory / "truth.jsonl")
    quality = evaluate(exported, truth)

    _step("baseline: networkx connected components")
    registry = settings.identifier_registry()
    started = time.perf_counter()
    groups = list(identifier_groups(_read_jsonl(observations_file), registry))
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    baseline_partition = components_of(groups)
    components_s = time.perf_counter() - started
    baseline = evaluate(baseline_partition, truth)
    del baseline_partition
    ideal = evaluate(components_of(groups, keep=person_key(truth)), truth)

    input_keys = {key for group in groups for key in group}
    exported_keys = {key for keys in exported.values() for key in keys}
    occurrences = sum(len(group) for group in groups)
    ingest_s = max(wall_s - startup_s, 1e-9)
    run = {
        "observations_requested": size,
        "people": people,
        "observations": counts["observation"],
        "observations_accepted": len(groups),
        "identifier_occurrences": occurrences,
        "distinct_identifiers": len(input_keys),
        "generate_s": round(generate_s, 3),
        "ingest": {
            "wall_s": round(wall_s, 3),
            "startup_s": round(startup_s, 3),
            "observations_per_s": round(counts["observation"] / wall_s),
            "identifiers_per_s": round(occurrences / wall_s),
            "observations_per_s_without_startup": round(counts["observation"] / ingest_s),
            "peak_rss_mib": round(max_rss_kib / 1024, 1),
            # Both processes' CPU: on 2 cores, N observations/s leaves at most 2/N s of CPU
            # for each observation, however the work is split between the processes.
            "cpu_s": round(cpu_s, 1),
            "cpu_us_per_observation": round(cpu_s / counts["observation"] * 1e6, 1),
            "cores_busy": round(cpu_s / wall_s, 2),
        },
        "store": {
            "observations": stats.observations,
            "rejections": stats.rejections,
            "identifiers": stats.identifiers,
            "profiles": stats.profiles,
            "held_links": stats.held_links,
            "open_review_items": stats.open_review_items,
            "db_mib": round(_db_size(db) / 2**20, 1),
        },
        "export": {
            "s": round(export_s, 3),
            "profiles": len(exported),
            "identifiers": len(exported_keys),
            "input_identifiers_missing": len(input_keys - exported_keys),
            "identifiers_not_in_input": len(exported_keys - input_keys),
        },
        "quality": quality.to_dict(),
        "reachable_recall": ideal.recall,
        "baseline": {
            "parse_s": round(parse_s, 3),
            "components_s": round(components_s, 3),
            "total_s": round(parse_s + components_s, 3),
            "quality": baseline.to_dict(),
        },
        "time_ratio_vs_baseline": round(wall_s / (parse_s + components_s), 2),
    }
    return run, db


def run_measured(command: list[str], log: Path) -> tuple[float, int, int, float]:
    """Run `command` to completion; its wall time, its own peak RSS (KiB), exit code and CPU
    seconds (user + system, its own and those of the children it waited for: the parser
    process of a bulk ingest counts)."""
    with log.open("w") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss, process.returncode, usage.ru_utime + usage.ru_stime


def datora(*args: str) -> list[str]:
    """The `datora` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("datora")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from datora_graph.cli import app; app()", *args]


# -- REST -------------------------------------------------------------------------------------
def rest_latency(db: Path, requests: int, seed: int, work: Path) -> dict[str, Any]:
    """Sequential single-observation POSTs to a real `datora serve` over `db`; milliseconds."""
    port = _free_port()
    store = open_store(Settings(db=db))
    try:  # a real key, so every request pays for its key check as in production
        token = create_key(store, f"bench-{secrets.token_hex(4)}", ["ingest"], "cli:bench").token
    finally:
        store.close()
    indexed = index_the_log(db)
    log = (work / "serve.log").open("w")
    server = subprocess.Popen(
        datora("serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    warmup = 50
    items = list(islice(_fresh_observations(seed + 1, requests + warmup), requests + warmup))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            _wait_healthy(client, server)
            for n, item in enumerate(items):
                started = time.perf_counter()
                response = client.post("/v1/observations", json={"observations": [item]})
                elapsed = (time.perf_counter() - started) * 1000
                if n >= warmup:
                    latencies.append(elapsed)
                    statuses[response.status_code] += 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "log_index_before": indexed,
        "requests": len(latencies),
        "warmup_requests": warmup,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "p99_ms": round(cuts[98], 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "max_ms": round(max(latencies), 3),
    }


def index_the_log(db: Path) -> dict[str, float]:
    """Bring the log index of `db` up to date, as a server does behind ingest: measured on a
    server that has done so (steady state), not one still indexing a fresh bulk load. Timed:
    it is also what the first split or erasure after a bulk load without a server waits."""
    settings = Settings(db=db)
    store = open_store(settings)
    try:
        print("== indexing the log (as a server does behind ingest)", file=sys.stderr)
        started, cpu = time.perf_counter(), time.process_time()
        observations = LogIndex(store, settings.identifier_registry()).catch_up()
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    finally:
        store.close()
    return {"observations": observations, "seconds": round(seconds, 1), "cpu_s": round(cpu_s, 1)}


def _fresh_observations(seed: int, count: int) -> Iterator[dict[str, Any]]:
    """Observations of other people (another seed), with IDs no earlier run used."""
    for kind, item in stream(people_for_observations(count) * 2 + 10, seed, events=0.0):
        if kind == "observation":
            item["id"] = f"rest-{item['id']}"
            yield item


def _wait_healthy(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"datora serve exited with code {server.returncode}; see serve.log")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("datora serve did not answer /healthz within 60 s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- reporting --------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    memory_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": _git_commit(),
    }


def print_table(results: dict[str, Any]) -> None:
    rows = [
        (
            f"{run['observations']:,}",
            f"{run['ingest']['wall_s']:.1f}",
            f"{run['ingest']['observations_per_s']:,}",
            f"{run['ingest']['identifiers_per_s']:,}",
            f"{run['ingest']['peak_rss_mib']:,.0f}",
            f"{run['ingest'].get('cpu_us_per_observation', 0):,.0f}",
            f"{run['export']['profiles']:,}",
            f"{run['quality']['largest_profile']:,}",
            f"{run['quality']['precision']:.4f}",
            f"{run['quality']['recall']:.4f}",
            f"{run['reachable_recall']:.4f}",
            f"{run['baseline']['quality']['precision']:.4f}",
            f"{run['baseline']['quality']['recall']:.4f}",
            f"{run['baseline']['total_s']:.1f}",
            f"{run['time_ratio_vs_baseline']:.2f}",
            f"{run['export']['input_identifiers_missing']:,}",
        )
        for run in results["runs"]
    ]
    header = (
        "observations",
        "ingest s",
        "obs/s",
        "ids/s",
        "RSS MiB",
        "CPU us/obs",
        "profiles",
        "largest",
        "precision",
        "recall",
        "reachable",
        "base P",
        "base R",
        "base s",
        "ratio",
        "missing",
    )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    rest = results.get("rest")
    if rest:
        print(
            f"\nREST POST /v1/observations, {rest['requests']:,} sequential single-observation "
            f"requests: p50 {rest['p50_ms']:.2f} ms, p95 {rest['p95_ms']:.2f} ms, "
            f"p99 {rest['p99_ms']:.2f} ms (statuses {rest['statuses']})"
        )
        indexed = rest["log_index_before"]
        print(
            f"Log index brought up to date before serving: {indexed['observations']:,} "
            f"observations in {indexed['seconds']:.1f} s ({indexed['cpu_s']:.1f} s of CPU)"
        )
    m = results["machine"]
    print(
        f"\n{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; "
        f"Python {m['python']}, SQLite {m['sqlite']}"
    )


def _settings_summary(settings: Settings) -> dict[str, Any]:
    return {
        "ingest_batch_size": settings.ingest_batch_size,
        "sqlite_synchronous": settings.sqlite_synchronous,
    }


def _read_jsonl(path: Path) -> Iterator[Any]:
    with path.open() as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _read_truth(path: Path) -> dict[str, str]:
    return {item["key"]: item["person"] for item in _read_jsonl(path)}


def _db_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def _write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def _step(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
