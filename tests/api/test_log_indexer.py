"""The server indexes the log behind ingest (api/log_indexer.py): over real HTTP, what a client
posts is indexed within `log_index_seconds` without a split or an erasure asking, and
`/metrics` shows what is left; the thread pages, stops, stays off during a rebuild and
reports a failure once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.conftest import damage_table, served_as_admin, suite_settings

from datora_graph.api.damage_seen import damage_seen
from datora_graph.api.log_indexer import PAGE, LogIndexer
from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_damage import WHAT_TO_DO

from .metrics_scrape import scrape
from .payloads import obs


def _settings(tmp_path: Path, seconds: float) -> Settings:
    return suite_settings(tmp_path / "datora.db").model_copy(
        update={"log_index_seconds": seconds, "metrics_store_seconds": 0.0}
    )


def _until(done: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _unindexed(client: httpx.Client) -> float:
    return scrape(client)[("datora_store_unindexed_observations", ())]


def _post(client: httpx.Client, count: int) -> None:
    """`count` observations of one e-mail address each: `o{i}` carries `p{i}@acme.io`."""
    items = [obs(f"o{i}", f"email:p{i}@acme.io") for i in range(count)]
    posted = client.post("/v1/observations", json={"observations": items})
    assert posted.status_code == 200, posted.text


def test_what_a_client_posts_is_indexed_without_a_request_asking(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 0.1)
    with served_as_admin(settings) as client:
        _post(client, 30)

        assert _until(lambda: _unindexed(client) == 0), "indexed within seconds"
        store = SqliteStore(settings.db)
        try:
            assert store.log_index_position() == store.last_sequence() == 30
            [(seq, payload)] = store.logged_observations_with(["email:p7@acme.io"])
            assert seq == 8
            assert '"o7"' in payload
        finally:
            store.close()


def test_with_the_indexer_off_the_log_waits_for_a_request_to_index_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 0.0)
    with served_as_admin(settings) as client:
        _post(client, 12)
        time.sleep(0.5)

        assert _unindexed(client) == 12


@pytest.fixture
def logged(tmp_path: Path) -> IdentityService:
    """A store with PAGE + 500 observations logged and none indexed."""
    settings = _settings(tmp_path, 0.05)
    identity = IdentityService(SqliteStore(settings.db), settings)
    items = [
        obs(f"o{i}", f"cookie_id:c-{i}", f"email:p{i % 900}@acme.io") for i in range(PAGE + 500)
    ]
    for start in range(0, len(items), 1000):
        identity.ingest_observations(items[start : start + 1000])
    return identity


def test_a_backlog_is_indexed_a_page_at_a_time_and_rests_between(logged: IdentityService) -> None:
    store = logged.store
    indexer = LogIndexer(logged, 60, logged.settings.db)
    positions: list[int] = []
    index_next = indexer._index.index_next

    def watched(limit: int) -> int:
        positions.append(store.log_index_position())
        return index_next(limit)

    indexer._index.index_next = watched  # type: ignore[method-assign]
    try:
        assert indexer.catch_up() == PAGE + 500
        assert positions == [0, PAGE, PAGE + 500], "two pages, then one finding nothing"
        assert store.log_index_position() == store.last_sequence()
        assert [s for s, _ in store.logged_observations_with(["email:p3@acme.io"])] == [
            4,
            904,
            1804,
        ]
    finally:
        store.close()


def test_it_leaves_the_index_alone_while_a_rebuild_runs(logged: IdentityService) -> None:
    store = logged.store
    indexer = LogIndexer(logged, 60, logged.settings.db)
    try:
        store.reset_derived()  # what a rebuild begins with: marked until it finishes
        assert indexer.catch_up() == 0
        assert store.log_index_position() == 0
        store.finish_rebuild()
        assert indexer.catch_up() == PAGE + 500
    finally:
        store.close()


def test_the_thread_stops_when_told_and_reports_a_failure_once(
    logged: IdentityService, caplog: pytest.LogCaptureFixture
) -> None:
    indexer = LogIndexer(logged, 0.02, logged.settings.db)
    indexer.start()
    assert _until(lambda: logged.store.log_index_position() == PAGE + 500)
    caplog.set_level(logging.WARNING, logger="datora_graph.api")
    logged.store.close()  # every look fails from here on

    time.sleep(0.5)
    started = time.monotonic()
    indexer.stop()

    assert time.monotonic() - started < 2
    assert not indexer._thread.is_alive()
    assert [r.getMessage() for r in caplog.records] == [
        "the log index could not be brought up to date (trying again every 0.02 s): "
        f"the SQLite store at {logged.settings.db} is closed"
    ]


def test_a_damaged_store_file_is_an_incident_naming_it_and_the_server_is_not_ready(
    logged: IdentityService, caplog: pytest.LogCaptureFixture
) -> None:
    db = logged.settings.db
    logged.store.close()
    damage_table(db, "observations")
    identity = IdentityService(SqliteStore(db), logged.settings)
    indexer = LogIndexer(identity, 0.02, db)
    caplog.set_level(logging.WARNING, logger="datora_graph.api")
    try:
        indexer.start()
        assert _until(lambda: damage_seen(db) is not None)
        time.sleep(0.2)
        indexer.stop()
    finally:
        identity.store.close()

    seen = damage_seen(db)
    assert seen is not None
    assert [r.getMessage() for r in caplog.records] == [
        f"incident {seen.incident}: bringing the log index up to date failed (trying again "
        f"every 0.02 s): the SQLite store at {db} is damaged (database disk image is "
        f"malformed): {WHAT_TO_DO}"
    ]
