"""The loop of the indexing process `datora serve` runs beside the server (api/log_indexer.py):
it indexes a backlog a page at a time, resting between pages, stays off during a rebuild,
stops when told or when the server is gone, and reports a failure once. The process itself,
started and stopped by `datora serve`, is tested end to end (tests/e2e/test_serve_log_index.py).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import damage_table, suite_settings

from datora_graph.api.log_indexer import PAGE, LogIndexer
from datora_graph.log_index import LogIndex
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_damage import WHAT_TO_DO

from .payloads import obs


def _until(done: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def indexer(
    identity: IdentityService, seconds: float = 60.0, parent: int | None = None
) -> LogIndexer:
    """The loop over `identity`'s store, as the indexing process of this one's server runs it."""
    index = LogIndex(identity.store, identity.registry)
    server = os.getppid() if parent is None else parent
    return LogIndexer(index, seconds, threading.Event(), identity.settings.db, server)


LOGGED = 2 * PAGE + PAGE // 2


@pytest.fixture
def logged(tmp_path: Path) -> IdentityService:
    """A store with LOGGED observations logged and none indexed."""
    settings = suite_settings(tmp_path / "datora.db")
    identity = IdentityService(SqliteStore(settings.db), settings)
    items = [obs(f"o{i}", f"cookie_id:c-{i}", f"email:p{i % PAGE}@acme.io") for i in range(LOGGED)]
    for start in range(0, len(items), 1000):
        identity.ingest_observations(items[start : start + 1000])
    return identity


def test_a_backlog_is_indexed_a_page_at_a_time_resting_between(logged: IdentityService) -> None:
    store = logged.store
    loop = indexer(logged)
    steps: list[tuple[str, int]] = []
    index_next, rest = loop.index.index_next, loop._rest

    def watched_index_next(limit: int) -> int:
        steps.append(("page", store.log_index_position()))
        return index_next(limit)

    def watched_rest(seconds: float) -> bool:
        steps.append(("rest", store.log_index_position()))
        assert 0 <= seconds < 5, "as long as the page took"
        return rest(seconds)

    loop.index.index_next = watched_index_next  # type: ignore[method-assign]
    loop._rest = watched_rest  # type: ignore[method-assign]
    try:
        assert loop.catch_up() == LOGGED
        assert steps == [
            ("page", 0),
            ("rest", PAGE),
            ("page", PAGE),
            ("rest", 2 * PAGE),
            ("page", 2 * PAGE),
            ("rest", LOGGED),
            ("page", LOGGED),  # finding nothing
        ]
        assert store.log_index_position() == store.last_sequence()
        found = store.logged_observations_with(["email:p3@acme.io"])
        assert [seq for seq, _ in found] == [4, PAGE + 4, 2 * PAGE + 4]
    finally:
        store.close()


def test_it_leaves_the_index_alone_while_a_rebuild_runs(logged: IdentityService) -> None:
    store = logged.store
    loop = indexer(logged)
    try:
        store.reset_derived()  # what a rebuild begins with: marked until it finishes
        assert loop.catch_up() == 0
        assert store.log_index_position() == 0
        store.finish_rebuild()
        assert loop.catch_up() == LOGGED
    finally:
        store.close()


def test_it_ends_when_the_server_is_gone(logged: IdentityService) -> None:
    """A server killed outright leaves the indexing process to another parent."""
    loop = indexer(logged, seconds=0.01, parent=-1)
    try:
        started = time.monotonic()
        loop.run()
        assert time.monotonic() - started < 1
        assert logged.store.log_index_position() == 0
    finally:
        logged.store.close()


def _running(loop: LogIndexer) -> threading.Thread:
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    return thread


def test_it_stops_when_told_and_reports_a_failure_once(
    logged: IdentityService, caplog: pytest.LogCaptureFixture
) -> None:
    loop = indexer(logged, seconds=0.02)
    thread = _running(loop)
    assert _until(lambda: logged.store.log_index_position() == LOGGED)
    caplog.set_level(logging.INFO, logger="datora_graph.api")
    logged.store.close()  # every look fails from here on

    time.sleep(0.5)
    started = time.monotonic()
    loop.stop.set()
    thread.join(5)

    assert time.monotonic() - started < 1
    assert not thread.is_alive()
    assert [r.getMessage() for r in caplog.records] == [
        "the log index could not be brought up to date (trying again every 0.02 s): "
        f"the SQLite store at {logged.settings.db} is closed"
    ]


def test_a_damaged_store_file_is_named_with_what_to_do(
    logged: IdentityService, caplog: pytest.LogCaptureFixture
) -> None:
    db = logged.settings.db
    logged.store.close()
    damage_table(db, "observations")
    identity = IdentityService(SqliteStore(db), logged.settings)
    loop = indexer(identity, seconds=0.02)
    caplog.set_level(logging.INFO, logger="datora_graph.api")
    try:
        thread = _running(loop)
        assert _until(lambda: bool(caplog.records))
        time.sleep(0.2)
        loop.stop.set()
        thread.join(5)
    finally:
        identity.store.close()

    assert [r.getMessage() for r in caplog.records] == [
        "the log index could not be brought up to date (trying again every 0.02 s): the SQLite "
        f"store at {db} is damaged (database disk image is malformed): {WHAT_TO_DO}"
    ]
