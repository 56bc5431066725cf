"""An erasure or a redaction leaves none of the removed values in the store's files, while the
service runs: not in the database file's free space, not in the write-ahead log.

SQLite's own default leaves deleted content in free pages, and the write-ahead log keeps the
pages as they were before a change until later writes overwrite them: a copy of the folder of a
running service (a backup) would carry an erased person. The store turns `secure_delete` on
and truncates the log after such a change (store/wal_checkpointer.py). This machine's SQLite
was built with `secure_delete` on, so the tests open every connection with it off first, as
SQLite's default has it, which the store must override.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.erasure_service import ErasureService
from datora_graph.redaction_service import RedactionService
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore

EMAIL = "zebulon.quixote@zmail.io"
NAME = "Zebulonius"
SECRET = "ORD-7731-QUIXOTE"
CITY = "Quixoteville"


@pytest.fixture
def identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IdentityService]:
    connect = sqlite3.connect

    def connect_as_sqlite_defaults(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete = OFF")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect_as_sqlite_defaults)
    config = Settings(db=tmp_path / "live.db")
    store = SqliteStore(config.db)
    try:
        service = IdentityService(store, config)
        records = [observation(f"o{n}", EMAIL, NAME, CITY) for n in range(3)]
        records += [observation(f"p{n}", f"other{n}@zmail.io", "Ann", "Oslo") for n in range(100)]
        service.ingest_observations(records)
        service.ingest_events(
            [
                {
                    "id": "v1",
                    "type": "purchase",
                    "occurred_at": "2026-05-01T10:00:00Z",
                    "source": "shop",
                    "identifiers": [{"type": "email", "value": "other1@zmail.io"}],
                    "properties": {"order_id": SECRET, "revenue": 5},
                }
            ]
        )
        assert found(config.db, EMAIL.encode(), NAME.encode(), SECRET.encode(), CITY.encode())
        yield service
    finally:
        store.close()


def observation(record_id: str, email: str, name: str, city: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": email}],
        "attributes": {"first_name": name, "city": city},
    }


def found(db: Path, *needles: bytes) -> dict[str, int]:
    """How often the needles occur in each of the store's files, by file name."""
    counts: dict[str, int] = {}
    for path in db.parent.glob(f"{db.name}*"):
        data = path.read_bytes()
        if hits := sum(data.count(n) for n in needles):
            counts[path.name] = hits
    return counts


def test_an_erasure_leaves_no_value_of_the_person_in_the_files(identity: IdentityService) -> None:
    db = identity.settings.db

    ErasureService(identity).erase_profile(f"email:{EMAIL}", reason="r", actor="dpo")

    assert found(db, b"zebulon", NAME.encode(), CITY.encode()) == {}
    assert found(db, b"other1@zmail.io"), "the others' records are still there"


def test_a_redaction_leaves_no_removed_value_in_the_files(identity: IdentityService) -> None:
    db = identity.settings.db
    redactions = RedactionService(identity)

    redactions.redact("event", "v1", ["order_id"], reason="r", actor="dpo")
    for n in range(3):
        redactions.redact("observation", f"o{n}", ["city"], reason="r", actor="dpo")

    assert found(db, SECRET.encode(), CITY.encode()) == {}
    assert found(db, b"zebulon"), "the rest of the records is still there"


def test_a_reader_of_an_older_snapshot_delays_the_truncation_until_it_ends(
    identity: IdentityService, caplog: pytest.LogCaptureFixture
) -> None:
    db = identity.settings.db
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM identifiers").fetchone()

    ErasureService(identity).erase_profile(f"email:{EMAIL}", reason="r", actor="dpo")

    assert "a reader of an older snapshot is open" in caplog.text
    assert found(db, b"zebulon").keys() == {"live.db-wal"}
    reader.execute("COMMIT")
    reader.close()
    deadline = time.monotonic() + 10
    while found(db, b"zebulon") and time.monotonic() < deadline:
        time.sleep(0.2)  # the background checkpoint runs once a second
    assert found(db, b"zebulon", NAME.encode()) == {}
