"""SQLite's check of the store file, read-only while the store serves: a sound file has no
problems, a page overwritten as a disk fault would leaves one named, and the summary of many
says how many more."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import damage_table, suite_settings

from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_check import MAX_PROBLEMS, check_file, summary


def a_store(db: Path) -> SqliteStore:
    store = SqliteStore(db)
    records = [
        {
            "id": f"o{n}",
            "source": "crm",
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{"type": "email", "value": f"p{n}@acme.io"}],
        }
        for n in range(300)
    ]
    IdentityService(store, suite_settings(db)).ingest_observations(records)
    return store


def test_a_sound_file_has_no_problem_while_the_store_is_open(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = a_store(db)
    wal = db.with_name("s.db-wal")
    try:
        before = db.stat().st_size, wal.stat().st_size
        quick = check_file(db)
        full = check_file(db, "integrity_check")
        after = db.stat().st_size, wal.stat().st_size
    finally:
        store.close()

    assert (quick.problems, full.problems) == ([], [])
    assert before[1] > 0, "the store is open, its latest commits in the write-ahead log"
    assert sum(before) <= quick.size <= sum(after)  # a checkpoint may grow the file meanwhile


def test_a_damaged_page_is_named(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    a_store(db).close()
    damage_table(db, "identifiers")
    beside = sorted(p.name for p in tmp_path.iterdir())

    checked = check_file(db)

    assert checked.problems
    assert any(
        "btreeInitPage() returns error code 11" in p or p == "database disk image is malformed"
        for p in checked.problems
    ), checked.problems
    assert not any(p.startswith("***") for p in checked.problems)
    assert sorted(p.name for p in tmp_path.iterdir()) == beside, "no -wal or -shm left"


def test_the_summary_names_the_first_problems_and_counts_the_rest() -> None:
    few = ["Page 8: bad", "Page 9 is never used"]
    many = [f"Page {n} is never used" for n in range(MAX_PROBLEMS)]

    assert summary(few) == "Page 8: bad; Page 9 is never used"
    assert summary(many[:5]) == (
        "Page 0 is never used; Page 1 is never used; Page 2 is never used; and 2 more"
    )
    assert summary(many).endswith(f"; and {MAX_PROBLEMS - 3} more at least")
