"""The embedded store stops a read transaction that runs past DATORA_READ_TIMEOUT_SECONDS,
with a real SQLite interrupt, and says which setting stopped it; the connection serves the
next read as before."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from datora_graph.config import Settings
from datora_graph.domain.errors import StoreUnavailable
from datora_graph.store import open_store
from datora_graph.store.sqlite import SqliteStore

COUNT_TO = """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
SELECT count(*) FROM n"""
"""A read whose work grows with its argument: 10^8 rows take SQLite tens of seconds."""


def count_to(store: SqliteStore, limit: int) -> int:
    with store._read() as db:
        found: int = db.execute(COUNT_TO, (limit,)).fetchone()[0]
    return found


def test_a_read_past_the_timeout_is_stopped_and_the_next_read_runs(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db", read_timeout_seconds=0.2)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as stopped:
            count_to(store, 10**8)
        took = time.monotonic() - started

        assert 0.2 <= took < 5
        assert "ran longer than 0.2 s (DATORA_READ_TIMEOUT_SECONDS)" in str(stopped.value)
        assert count_to(store, 1000) == 1000, "the same connection reads again"
        assert store.stats().profiles == 0, "no transaction was left open on it"
    finally:
        store.close()


def test_each_read_has_the_whole_timeout(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db", read_timeout_seconds=0.5)
    try:
        started = time.monotonic()
        for _ in range(4):  # each well within 0.5 s (about 0.05 s), together past it
            assert count_to(store, 300_000) == 300_000
            time.sleep(0.15)
        assert time.monotonic() - started > 0.5
    finally:
        store.close()


def test_without_a_timeout_a_long_read_runs_to_its_end(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db", read_timeout_seconds=0)
    try:
        assert count_to(store, 3_000_000) == 3_000_000
    finally:
        store.close()


def test_the_setting_reaches_the_store(tmp_path: Path) -> None:
    store = open_store(Settings(db=tmp_path / "t.db", read_timeout_seconds=0.1))
    try:
        assert isinstance(store, SqliteStore)
        with pytest.raises(StoreUnavailable, match="DATORA_READ_TIMEOUT_SECONDS"):
            count_to(store, 10**8)
    finally:
        store.close()
