"""GraphQL read latency: one profile with its identifiers and first 50 journey events, asked by
50 concurrent clients of a real `datora serve` over 100k profiles. A script, not a test.

    scripts/bench graphql                                      # builds the data set, ~5 min
    scripts/bench graphql --db /tmp/g.db --keep                # keep it, reuse it next time
    scripts/bench graphql --requests 20000 --rates 50,100,200 --out bench/graphql.json

The data set is the synthetic people of `datora_graph.demo` (`--events` scales their events),
ingested through the real service into `--db` (skipped when that file already holds about
`--profiles` profiles). The server is `datora serve` in a subprocess on 127.0.0.1 (with
`--workers N`, in N processes); the clients run in this process, each on its own keep-alive
connection, with this process's garbage collector off while they measure.

Two samples of profiles are asked for, each measured on its own:
- `full_pages`: profiles with at least 50 events, so every answer carries a full page of 50;
- `random`: profiles drawn uniformly, whatever their journeys hold.

Each sample is measured in two modes:
- `closed_loop`: every client sends its next request as soon as its answer arrived, so the
  server is saturated and latency is mostly waiting in its queue (Little's law: 50 clients /
  throughput);
- `paced_R_per_s`: the clients together send R requests per second on Poisson schedules,
  latency counted from each request's scheduled moment (no coordinated omission).

Besides latency, the server's CPU time per request is recorded (from /proc): it does not
depend on what else runs on the machine, which the load average before and after shows.
The clients speak HTTP/1.1 on raw asyncio streams rather than through an HTTP library, so the
load generator, which shares the machine's cores with the server, costs little CPU itself.
Every answer's status is checked, and 200 answers per sample are parsed and compared with
the journey REST gives for the same profile.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from datora_graph.access_service import create_key
from datora_graph.config import Settings
from datora_graph.demo.generator import stream
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.services import IdentityService
from datora_graph.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import index_the_log, machine  # a script beside this one, not a package

ROOT = Path(__file__).resolve().parent.parent
PROFILES_PER_PERSON = 1.18
"""Measured on the demo data: some people keep a cookie or a device no login ever linked."""
PAGE = 50

QUERY = """query ProfileWithJourney($id: ID!) {
  profile(id: $id) {
    id aliases attributes
    identifiers { type value junk firstSeen }
    journey(first: 50) {
      edges { cursor node { id type occurredAt source properties } }
      pageInfo { endCursor hasNextPage }
    }
  }
}"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=100_000, help="profiles in the data set")
    parser.add_argument("--events", type=float, default=10.0, help="event volume factor")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=10_000, help="measured, per sample")
    parser.add_argument("--warmup", type=int, default=1_000, help="unmeasured, per sample")
    parser.add_argument("--sample-size", type=int, default=2_000, help="profiles per sample")
    parser.add_argument(
        "--rates",
        default="100",
        help="paced runs after the closed loop: comma-separated requests/s of all clients "
        "together (default 100: each of 50 clients asks every 0.5 s); empty for none",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (`datora serve --workers`)"
    )
    parser.add_argument("--db", type=Path, help="the data set's store (default: a temp file)")
    parser.add_argument("--keep", action="store_true", help="keep a temporary --db")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "graphql.json")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="datora-bench-graphql-"))
    try:
        return bench(args, work)
    except BaseException:
        print(f"the server's log and any data set are kept in {work}", file=sys.stderr)
        raise


def bench(args: argparse.Namespace, work: Path) -> int:
    """Measure as `args` say, in the scratch folder `work`; removed afterwards unless kept."""
    db = args.db or work / "datora.db"
    dataset = build_dataset(db, args.profiles, args.events, args.seed)
    samples = pick_samples(db, args.sample_size, args.seed)
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "dataset": dataset,
        "query": QUERY,
        "clients": args.clients,
        "workers": args.workers,
        "samples": {name: len(ids) for name, ids in samples.items()},
        "load_average_before": os.getloadavg(),
    }
    results["log_index_before"] = index_the_log(db)
    rates = tuple(float(r) for r in args.rates.split(",") if r.strip())
    load = Load(args.clients, args.requests, args.warmup, rates, args.workers)
    results["latency"] = graphql_latency(db, samples, load, work)
    results["load_average_after"] = os.getloadavg()
    write(args.out, results)
    print_table(results)
    print(f"\nresults: {args.out}")
    if args.db is None and args.keep:
        print(f"data set kept in {db}")
    else:
        shutil.rmtree(work)
    return 0


# -- the data set -----------------------------------------------------------------------------
def build_dataset(db: Path, profiles: int, events: float, seed: int) -> dict[str, Any]:
    """Ingest synthetic people into `db` until it holds about `profiles` profiles."""
    settings = Settings(db=db)
    store = open_store(settings)
    try:
        service = IdentityService(store, settings)
        stats = service.stats()
        built_s = None
        if stats.observations and stats.profiles < 0.95 * profiles:
            raise SystemExit(f"{db} holds {stats.profiles:,} profiles, fewer than asked")
        if not stats.observations:
            people = round(profiles / PROFILES_PER_PERSON)
            step(f"ingesting {people:,} synthetic people (events x{events}) into {db}")
            started = time.perf_counter()
            ingest(service, people, events, seed)
            built_s = round(time.perf_counter() - started, 1)
            stats = service.stats()
        return {
            "profiles": stats.profiles,
            "identifiers": stats.identifiers,
            "observations": stats.observations,
            "events": stats.events,
            "build_s": built_s,
        }
    finally:
        store.close()


def ingest(service: IdentityService, people: int, events: float, seed: int) -> None:
    """Observations, then events, through the service's batched stream ingest. The generator
    runs twice: its observations do not depend on the event volume, so the first pass makes
    none and the second keeps only the events, and neither is held in memory whole."""
    observations = (item for kind, item in stream(people, seed, events=0) if kind == "observation")
    report = service.ingest_stream("observation", observations)
    step(f"{report.accepted:,} observations accepted; ingesting events")
    only_events = (item for kind, item in stream(people, seed, events=events) if kind == "event")
    report = service.ingest_stream("event", only_events)
    step(f"{report.accepted:,} events accepted")


def pick_samples(db: Path, size: int, seed: int) -> dict[str, list[str]]:
    """`size` profiles with a full first page of events, and `size` drawn uniformly."""
    settings = Settings(db=db)
    store = open_store(settings)
    try:
        ids = [p.id for batch in store.iter_profiles(5_000) for p in batch]
        rng = random.Random(seed)
        rng.shuffle(ids)
        full: list[str] = []
        for start in range(0, len(ids), 1_000):
            pages = store.journeys(ids[start : start + 1_000], JourneyQuery(first=PAGE))
            full += [i for i, page in pages.items() if len(page.events) == PAGE]
            if len(full) >= size:
                break
        return {"full_pages": full[:size], "random": ids[:size]}
    finally:
        store.close()


# -- the load -----------------------------------------------------------------------------------
def graphql_latency(
    db: Path,
    samples: dict[str, list[str]],
    load: Load,
    work: Path,
) -> dict[str, Any]:
    """Serve `db` and measure each sample closed-loop, then at each paced rate; milliseconds."""
    port = free_port()
    token = bench_key(db)
    with (work / "serve.log").open("w") as log:
        server = start_server(db, port, load.workers, log)
        try:
            wait_healthy(port, server)
            results: dict[str, Any] = {}
            for name, ids in samples.items():
                if not ids:
                    continue
                check_answers(port, ids[: min(len(ids), 200)], token)
                modes: list[float | None] = [None, *load.rates]
                for rate in modes:
                    label = "closed_loop" if rate is None else f"paced_{rate:g}_per_s"
                    step(f"{name}, {label}: {load.warmup:,} warm-up, {load.requests:,} measured")
                    asyncio.run(run_load(port, ids, load.clients, load.warmup, rate, token))
                    before = cpu_seconds(server.pid)
                    with no_collection_pauses():
                        latencies, wall = asyncio.run(
                            run_load(port, ids, load.clients, load.requests, rate, token)
                        )
                    used = cpu_seconds(server.pid) - before
                    row = summary(latencies, wall)
                    row["server_cpu_ms_per_request"] = round(used * 1000 / len(latencies), 2)
                    results.setdefault(name, {})[label] = row
            return results
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def no_collection_pauses() -> Iterator[None]:
    """The load generator's garbage collector off while it measures: its full passes stood
    it still for up to 70 ms, counted as the server's latency. Collected afterwards."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


@dataclass(frozen=True, slots=True)
class Load:
    """`clients` connections; `requests` measured per sample and mode after `warmup`; a
    closed loop always, then one paced run per rate (requests per second, all clients)."""

    clients: int
    requests: int
    warmup: int
    rates: tuple[float, ...]
    workers: int


def start_server(db: Path, port: int, workers: int, log: IO[str]) -> subprocess.Popen[bytes]:
    """`datora serve`, in `workers` processes."""
    command = datora(
        "serve",
        *["--host", "127.0.0.1", "--port", str(port), "--db", str(db)],
        *["--workers", str(workers)],
    )
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children that were waited for, and of
    its live worker processes (uvicorn's `--workers`)."""
    total = 0.0
    for process in [pid, *child_pids(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def child_pids(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    children = [int(c) for c in text.split()]
    return [grandchild for child in children for grandchild in [child, *child_pids(child)]]


def request_bytes(port: int, profile_id: str, token: str) -> bytes:
    body = json.dumps({"query": QUERY, "variables": {"id": profile_id}}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def run_load(
    port: int, ids: list[str], clients: int, requests: int, rate: float | None, token: str
) -> tuple[list[float], float]:
    """`requests` requests spread over `clients` connections; each latency in ms, wall time s.

    Closed loop (`rate` None): each client sends its next request when its answer arrived.
    Paced: each client sends on its own Poisson schedule, together `rate` per second, and a
    latency counts from the scheduled moment, so a slow answer also delays what queued
    behind it (no coordinated omission)."""
    prepared = [request_bytes(port, i, token) for i in ids]
    latencies: list[float] = []
    counter = iter(range(requests))
    rng = random.Random(clients)

    async def client(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        due = time.perf_counter()
        try:
            for n in counter:
                request = prepared[(n * 7919 + number) % len(prepared)]
                if rate is not None:
                    due += rng.expovariate(rate / clients)
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                started = due if rate is not None else time.perf_counter()
                try:
                    writer.write(request)
                    status, _ = await read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    # The server closed a connection idle past its keep-alive (paced clients
                    # can wait seconds): connect again, as a browser would; that counts.
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(request)
                    status, _ = await read_response(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise SystemExit(f"the server answered {status}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, time.perf_counter() - started


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


def check_answers(port: int, ids: list[str], token: str) -> None:
    """Every answer is error-free and carries what REST says the profile holds."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, headers=headers) as http:
        for profile_id in ids:
            answer = http.post("/graphql", json={"query": QUERY, "variables": {"id": profile_id}})
            body = answer.json()
            if answer.status_code != 200 or "errors" in body:
                raise SystemExit(f"GraphQL failed for {profile_id}: {answer.text[:500]}")
            rest = http.get(f"/v1/profiles/{profile_id}/journey", params={"first": PAGE}).json()
            events = [e["node"]["id"] for e in body["data"]["profile"]["journey"]["edges"]]
            if events != [e["id"] for e in rest["events"]]:
                raise SystemExit(f"GraphQL and REST disagree on the journey of {profile_id}")


def summary(latencies: list[float], wall: float) -> dict[str, Any]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "throughput_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "max_ms": round(max(latencies), 2),
    }


# -- plumbing -----------------------------------------------------------------------------------
def bench_key(db: Path) -> str:
    """A fresh `read` key for the load, so every request pays for its key check as in
    production."""
    store = open_store(Settings(db=db))
    try:
        name = f"bench-{secrets.token_hex(4)}"
        return create_key(store, name, ["read"], actor="cli:bench").token
    finally:
        store.close()


def datora(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("datora")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from datora_graph.cli import app; app()", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"datora serve exited with code {server.returncode}; see serve.log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("datora serve did not answer /healthz within 120 s")


def write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def print_table(results: dict[str, Any]) -> None:
    data = results["dataset"]
    print(
        f"\n{data['profiles']:,} profiles, {data['events']:,} events; "
        f"{results['clients']} concurrent clients, {results['workers']} server process(es); "
        f"load average before {results['load_average_before'][0]:.2f}"
    )
    print(
        f"{'sample':<12}{'mode':<20}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'cpu ms/req':>11}"
    )
    for name, modes in results["latency"].items():
        for mode, row in modes.items():
            print(
                f"{name:<12}{mode:<20}{row['throughput_per_s']:>8}{row['p50_ms']:>9}"
                f"{row['p95_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}"
                f"{row['server_cpu_ms_per_request']:>11}"
            )


def step(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
