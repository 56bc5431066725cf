"""`datora serve` indexes the log behind ingest in a process of its own (api/log_indexer.py),
with one server process and with two: what a client posts is indexed without a split or an
erasure asking, each observation once, `/metrics` says nothing is left, and the indexing
process ends with the server. `DATORA_LOG_INDEX_SECONDS=0` runs none."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.api.metrics_scrape import samples
from tests.e2e.test_cli import cli_env, start_serve, wait_until_ready
from tests.e2e.test_serve_workers import _children, _gone_within

from datora_graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow

POSTED = 40


def _unindexed(url: str) -> float:
    scraped = httpx.get(f"{url}/metrics", timeout=30)
    assert scraped.status_code == 200, scraped.text
    return samples(scraped.text)[("datora_store_unindexed_observations", ())]


def _post(url: str) -> None:
    for batch in range(4):  # a connection each: under two workers, both take some
        items = [
            {
                "id": f"o{batch}-{i}",
                "source": "web",
                "observed_at": "2026-05-01T10:00:00Z",
                "identifiers": [
                    {"type": "cookie_id", "value": f"c-{batch}-{i}"},
                    {"type": "email", "value": f"p{i}@acme.io"},
                ],
            }
            for i in range(POSTED // 4)
        ]
        posted = httpx.post(f"{url}/v1/observations", json={"observations": items})
        assert posted.status_code == 200, posted.text


@pytest.mark.parametrize(("workers", "seconds"), [("1", "0.2"), ("2", "0.2"), ("1", "0")])
def test_what_is_posted_is_indexed_by_the_server(
    tmp_path: Path, workers: str, seconds: str
) -> None:
    db = tmp_path / "served.db"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {"log_index_seconds": seconds, "metrics_store_seconds": "0"}
    process = start_serve(port, "--dev", "--db", db, "--workers", workers, **settings)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_ready(url, process), "the server did not come up"
        started = _children(process.pid)
        _post(url)
        deadline = time.monotonic() + (15 if seconds != "0" else 1)
        while _unindexed(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _unindexed(url)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)

    assert all(_gone_within(pid, seconds=15) for pid in started), "a process outlived serve"
    store = SqliteStore(db)
    try:
        if seconds == "0":
            assert left == POSTED
            assert store.log_index_position() == 0
            return
        assert left == 0, output
        assert store.log_index_position() == store.last_sequence() == POSTED
        carried = store.logged_observations_with(["email:p3@acme.io"])
        assert len(carried) == 4, "each batch's record of p3 once"
        assert all('"p3@acme.io"' in payload for _, payload in carried)
    finally:
        store.close()


def test_an_indexing_process_whose_server_is_already_gone_ends_at_once(tmp_path: Path) -> None:
    """The server names itself: one that ended while the process started (a Ctrl+C at once)
    must not leave it running with another parent, holding the server's output open."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    started = time.monotonic()
    ended = subprocess.run(
        [sys.executable, "-m", "datora_graph.api.log_indexer", str(gone.pid)],
        env=cli_env(db=str(tmp_path / "d.db"), log_index_seconds="60"),
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert ended.returncode == 0, ended.stderr
    assert time.monotonic() - started < 10
