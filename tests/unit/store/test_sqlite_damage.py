"""A damaged database file is told apart from every other SQLite failure, however deep in a
chain of errors SQLite's report sits; the store opened on a file that is no database says it
is damaged, naming the file; a store that lost a table (one of every store's, or one it made on
first use), or another program's database, is refused before anything is written to it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from tests.conftest import damage_table, lose_a_table

from datora_graph.domain.errors import StoreDamaged, StoreUnavailable
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_damage import WHAT_TO_DO, damage_in

TABLES = "SELECT value FROM meta WHERE key = 'tables'"
SQLITE_CORRUPT_INDEX = sqlite3.SQLITE_CORRUPT | (3 << 8)
"""An extended code of SQLITE_CORRUPT (779), as SQLite reports a damaged index."""


def failure_reading(path: Path, statement: str) -> sqlite3.Error:
    db = sqlite3.connect(path)
    try:
        db.execute(statement).fetchall()
    except sqlite3.Error as error:
        return error
    finally:
        db.close()
    raise AssertionError(f"{statement} did not fail")


def damage_reported(path: Path) -> str:
    """What opening the store at `path` says, refused as damaged."""
    with pytest.raises(StoreDamaged) as raised:
        SqliteStore(path)
    return str(raised.value)


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "d.db"
    SqliteStore(path).close()
    damage_table(path, "observations")
    return path


def test_a_damaged_page_is_damage_in_whatever_chain_it_ends(damaged: Path) -> None:
    error = failure_reading(damaged, "SELECT * FROM observations")

    try:
        try:
            raise error
        except sqlite3.Error as cause:
            raise StoreUnavailable("read failed") from cause
    except StoreUnavailable as chained:
        raised_from = chained
    try:
        try:
            raise error
        except sqlite3.Error:
            raise RuntimeError("closing failed too")  # noqa: B904
    except RuntimeError as while_handling:
        raised_while_handling = while_handling
    try:
        try:
            raise error
        except sqlite3.Error:
            raise RuntimeError("unrelated") from None
    except RuntimeError as hidden:
        raised_hiding_it = hidden

    assert damage_in(error) == "database disk image is malformed"
    assert damage_in(raised_from) == "database disk image is malformed"
    assert damage_in(raised_while_handling) == "database disk image is malformed"
    assert damage_in(raised_hiding_it) is None  # `from None`: its traceback hides it


def test_other_failures_are_not_damage(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "d.db").close()

    missing_table = failure_reading(tmp_path / "d.db", "SELECT * FROM nothing_here")
    constructed = sqlite3.DatabaseError("database disk image is malformed")

    assert damage_in(missing_table) is None
    assert damage_in(constructed) is None  # SQLite's words alone, without SQLite's code
    assert damage_in(ValueError("x")) is None


def test_an_extended_code_of_corruption_is_damage() -> None:
    error = sqlite3.DatabaseError("database disk image is malformed")
    error.sqlite_errorcode = SQLITE_CORRUPT_INDEX

    assert damage_in(error) == "database disk image is malformed"


def test_a_file_that_is_no_database_is_a_damaged_store_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are notes, not a database\n" * 100, encoding="utf-8")

    with pytest.raises(StoreDamaged) as raised:
        SqliteStore(path)

    assert str(raised.value) == (
        f"the SQLite store at {path} is damaged (file is not a database): {WHAT_TO_DO}"
    )
    assert isinstance(raised.value, StoreUnavailable)


def test_a_store_that_lost_a_table_is_damaged_not_given_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    store = SqliteStore(path)
    store.close()
    lose_a_table(path, "profiles")
    lose_a_table(path, "aliases")

    assert damage_reported(path) == (
        f"the SQLite store at {path} is damaged (the tables aliases, profiles are missing): "
        f"{WHAT_TO_DO}"
    )
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
    db.close()
    assert "profiles" not in tables  # not made again, empty


def test_a_store_that_lost_its_meta_table_is_damaged_not_another_programs(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    SqliteStore(path).close()
    lose_a_table(path, "meta")

    assert damage_reported(path) == (
        f"the SQLite store at {path} is damaged (the table meta is missing): {WHAT_TO_DO}"
    )


def test_a_store_that_lost_a_table_made_on_first_use_is_damaged(tmp_path: Path) -> None:
    """API keys and the audit log are made on first use, so an older store lacks them for good
    reason; one that had them and lost them is told apart by the tables listed in `meta`."""
    path = tmp_path / "d.db"
    store = SqliteStore(path)
    assert store.list_api_keys() == []  # makes the keys' and the audit log's tables
    store.close()
    lose_a_table(path, "api_keys")

    assert damage_reported(path) == (
        f"the SQLite store at {path} is damaged (the table api_keys is missing): {WHAT_TO_DO}"
    )


def test_a_table_not_yet_made_is_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    SqliteStore(path).close()

    store = SqliteStore(path)  # no key was ever made: no api_keys table, and none expected
    assert store.list_api_keys() == []
    store.close()

    with sqlite3.connect(path) as db:
        listed = json.loads(db.execute(TABLES).fetchone()[0])
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        }
    db.close()
    assert {"api_keys", "audit_log", "profiles"} <= set(listed)
    assert set(listed) == {name for name in tables if not name.startswith("sqlite_")}


def test_a_store_written_before_tables_were_listed_opens_and_gets_the_list(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.db"
    store = SqliteStore(path)
    store.list_api_keys()
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM meta WHERE key = 'tables'")
    db.close()
    lose_a_table(path, "api_keys")  # before the list: lost where nothing can tell

    SqliteStore(path).close()  # opens: its tables from now on are listed
    lose_a_table(path, "audit_log")

    with pytest.raises(StoreDamaged, match="the table audit_log is missing"):
        SqliteStore(path)


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
        db.execute("CREATE TABLE deals (amount REAL)")
    db.close()
    before = path.read_bytes()

    with pytest.raises(StoreUnavailable) as raised:
        SqliteStore(path)

    assert str(raised.value) == (
        f"{path} is a SQLite database of another program, not a Datora Graph store (it holds "
        "contacts, deals): name the store's file with --db or DATORA_DB"
    )
    assert not isinstance(raised.value, StoreDamaged)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_an_empty_file_opens_as_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    path.touch()

    store = SqliteStore(path)
    try:
        assert store.stats().observations == 0
    finally:
        store.close()
