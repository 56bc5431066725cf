"""The embedded store's backup (store/sqlite_backup.py): a consistent copy while the service
writes, holding what is still in the write-ahead log, and never a partial file under the
backup's name. `datora backup` itself is run in tests/e2e/test_backup_cli.py."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_backup import BackupError, back_up


def observation(n: int) -> dict[str, object]:
    return {
        "id": f"o{n}",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": f"p{n}@acme.io"}],
    }


@pytest.fixture
def identity(tmp_path: Path) -> Iterator[IdentityService]:
    settings = Settings(db=tmp_path / "live.db")
    store = SqliteStore(settings.db)
    try:
        yield IdentityService(store, settings)
    finally:
        store.close()


def observations_in(path: Path) -> int:
    """The observations of a copy, which must pass SQLite's whole check."""
    copy = sqlite3.connect(path)
    try:
        assert [row[0] for row in copy.execute("PRAGMA integrity_check")] == ["ok"]
    finally:
        copy.close()
    store = SqliteStore(path)
    try:
        return store.stats().observations
    finally:
        store.close()


def test_the_copy_holds_the_commits_still_in_the_write_ahead_log(
    identity: IdentityService, tmp_path: Path
) -> None:
    """What a copy of the database file alone would miss until a checkpoint."""
    identity.ingest_observations([observation(n) for n in range(20)])
    assert (tmp_path / "live.db-wal").stat().st_size > 0

    made = back_up(tmp_path / "live.db", tmp_path / "copy.db")

    assert made.path == tmp_path / "copy.db"
    assert made.size == (tmp_path / "copy.db").stat().st_size
    assert observations_in(tmp_path / "copy.db") == 20


def test_a_backup_while_the_service_writes_is_one_consistent_snapshot(
    identity: IdentityService, tmp_path: Path
) -> None:
    """In steps, each commit in between would start the copy again; one step copies one
    snapshot, and the writer is not held up."""
    identity.ingest_observations([observation(n) for n in range(200)])
    stop = threading.Event()
    written = [200]

    def write() -> None:
        while not stop.is_set():
            identity.ingest_observations([observation(written[0])])
            written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [back_up(tmp_path / "live.db", tmp_path / f"copy{n}.db") for n in range(3)]
    finally:
        stop.set()
        writer.join()

    counts = [observations_in(copy.path) for copy in copies]
    assert 200 <= counts[0] <= counts[1] <= counts[2] <= written[0], (counts, written)
    assert written[0] > 200, "the writer went on during the backups"


def test_a_backup_never_overwrites_and_leaves_nothing_when_it_fails(
    identity: IdentityService, tmp_path: Path
) -> None:
    identity.ingest_observations([observation(1)])
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"someone's file")

    with pytest.raises(BackupError, match="exists already"):
        back_up(tmp_path / "live.db", taken)
    with pytest.raises(BackupError, match="there is no database at"):
        back_up(tmp_path / "missing.db", tmp_path / "copy.db")
    assert not (tmp_path / "missing.db").exists(), "not created by looking"

    def interrupted(done: int, total: int) -> None:
        raise KeyboardInterrupt  # Ctrl+C while it copies

    with pytest.raises(KeyboardInterrupt):
        back_up(tmp_path / "live.db", tmp_path / "cut.db", interrupted)

    assert taken.read_bytes() == b"someone's file"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("cut")) == []
