"""`datora serve --workers 2`: two server processes over one embedded store. Batches posted
from many connections at once reach both, are resolved as one writer would resolve them
(nothing lost between the processes), every worker reads what any worker wrote and answers
/metrics for both, and Ctrl+C stops them all."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pytest
from tests.api.metrics_scrape import records, requests, samples
from tests.conftest import auth_headers
from tests.e2e.test_cli import cli_env, datora_executable, wait_until_ready

from datora_graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow

BATCHES, PER_BATCH, COOKIES = 120, 5, 300


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path, list[int]]]:
    """The URL, an admin key's header, the database, and the worker processes' IDs."""
    db = tmp_path / "shared.db"
    store = SqliteStore(db)
    headers = auth_headers(store)
    store.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [datora_executable(), "serve", "--workers", "2", "--port", str(port), "--db", str(db)],
        env=cli_env(hub_max_profiles="1000000", max_profile_identifiers="1000000"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_ready(url, process), "the server did not come up"
        workers = _children(process.pid)
        assert len(workers) >= 2, workers  # the two workers (and a resource tracker)
        yield url, headers, db, workers
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        output, _ = process.communicate(timeout=30)
        assert process.returncode is not None
        assert "2 processes" in output, output
        for pid in workers:
            assert _gone_within(pid, seconds=15), f"process {pid} outlived datora serve"


def test_batches_from_many_connections_lose_nothing_between_the_workers(
    two_workers: tuple[str, dict[str, str], Path, list[int]],
) -> None:
    url, headers, db, workers = two_workers
    rng = random.Random(11)
    batches: list[list[dict[str, Any]]] = [
        [
            {
                "id": f"b{b}-{i}",
                "source": "web",
                "observed_at": "2026-05-01T10:00:00Z",
                "identifiers": [
                    {"type": "cookie_id", "value": f"c{x}"} for x in rng.sample(range(COOKIES), 2)
                ],
            }
            for i in range(PER_BATCH)
        ]
        for b in range(BATCHES)
    ]
    cpu_before = {pid: _cpu_seconds(pid) for pid in workers}

    def post(batch: list[dict[str, Any]]) -> int:
        # A connection per batch, so the kernel hands batches to both workers.
        response = httpx.post(
            f"{url}/v1/observations", json={"observations": batch}, headers=headers, timeout=60
        )
        assert response.status_code == 200, response.text
        accepted: int = response.json()["accepted"]
        return accepted

    with ThreadPoolExecutor(max_workers=8) as pool:
        accepted = sum(pool.map(post, batches))

    assert accepted == BATCHES * PER_BATCH
    busy = [pid for pid in workers if _cpu_seconds(pid) - cpu_before[pid] > 0.05]
    assert len(busy) >= 2, "one process served every batch"

    graph = nx.Graph()
    for batch in batches:
        for item in batch:
            graph.add_edge(*(f"cookie_id:{i['value']}" for i in item["identifiers"]))
    store = SqliteStore(db)
    try:
        owners = store.profile_ids_for_identifiers(list(graph.nodes))
    finally:
        store.close()
    profiles: dict[str, set[str]] = {}
    for key, profile_id in owners.items():
        profiles.setdefault(profile_id, set()).add(key)
    assert {frozenset(p) for p in profiles.values()} == {
        frozenset(c) for c in nx.connected_components(graph)
    }

    # Every worker answers with what all of them wrote: ask enough times to reach both.
    some_key = next(iter(graph.nodes))
    for _ in range(10):
        answer = httpx.get(
            f"{url}/v1/profiles", params={"identifier": some_key}, headers=headers, timeout=30
        )
        assert answer.status_code == 200, answer.text
        held = {f"{i['type']}:{i['value']}" for i in answer.json()["identifiers"]}
        assert held == nx.node_connected_component(graph, some_key)

    # Whichever worker answers /metrics counts what both did, and the same store.
    for _ in range(6):
        scraped = httpx.get(f"{url}/metrics", timeout=30)
        assert scraped.status_code == 200, scraped.text
        counted = samples(scraped.text)
        assert counted[records("observation", "accepted")] == BATCHES * PER_BATCH
        assert counted[requests("POST", "/v1/observations", 200)] == BATCHES
        assert counted[("datora_store_observations", ())] == BATCHES * PER_BATCH
        assert counted[("datora_store_profiles", ())] == len(profiles)


def test_graphql_is_served_by_the_workers(
    two_workers: tuple[str, dict[str, str], Path, list[int]],
) -> None:
    url, headers, _, _ = two_workers
    query = {"query": "{ insights(days: 1) { counts { profiles identifiers } } }"}

    answers = [
        httpx.post(f"{url}/graphql", json=query, headers=headers, timeout=30) for _ in range(6)
    ]

    assert all(a.status_code == 200 for a in answers), answers[0].text
    assert {json.dumps(a.json()) for a in answers} == {
        '{"data": {"insights": {"counts": {"profiles": 0, "identifiers": 0}}}}'
    }


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def _gone_within(pid: int, seconds: float) -> bool:
    """Whether process `pid` has ended (or is a zombie) within `seconds`: the resource
    tracker of the workers ends once it sees that the server did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return True
        time.sleep(0.1)
    return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
