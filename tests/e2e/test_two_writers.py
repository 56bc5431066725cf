"""Two processes ingesting into one embedded store at once, as `datora ingest` beside a
`datora serve` taking REST batches: the store's writer lock keeps their read-resolve-commit
cycles apart, so nothing is lost and the graph is what one writer would have made of the log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conformance.builders import assert_profiles_are_components

from datora_graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow

BATCHES, PER_BATCH, COOKIES = 400, 5, 1000
WRITER = f"""
import random, sys
from pathlib import Path
from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore
from tests.conformance.builders import assert_profiles_are_components

db, tag = Path(sys.argv[1]), sys.argv[2]
rng = random.Random(tag)
store = SqliteStore(db)
unbounded = Settings(db=db, hub_max_profiles=10**6, max_profile_identifiers=10**6)
service = IdentityService(store, unbounded)
for b in range({BATCHES}):
    items = []
    for i in range({PER_BATCH}):
        x, y = rng.sample(range({COOKIES}), 2)
        items.append({{
            "id": f"{{tag}}-{{b}}-{{i}}", "source": tag,
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{{"type": "cookie_id", "value": f"c{{x}}"}},
                            {{"type": "cookie_id", "value": f"c{{y}}"}}],
        }})
    report = service.ingest_observations(items)
    assert report.accepted == {PER_BATCH}, report
store.close()
"""


def test_two_processes_ingesting_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    SqliteStore(db).close()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag], stderr=subprocess.PIPE)
        for tag in ("left", "right")
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr.decode()

    store = SqliteStore(db)
    try:
        log = [payload for _, payload in store.read_log(0, 10_000)]
        assert len(log) == 2 * BATCHES * PER_BATCH
        pairs = []
        for payload in log:
            keys = [f"{i['type']}:{i['value']}" for i in json.loads(payload)["identifiers"]]
            pairs.append((keys[0], keys[1]))
        assert_profiles_are_components(store, pairs)
    finally:
        store.close()
