"""`datora backup`: the copy reads as the store does, is audited, and nothing is overwritten."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from tests.conftest import damage_table
from tests.e2e.test_cli import datora


def test_a_backup_reads_as_the_store_and_records_itself(tmp_path: Path) -> None:
    db, copy = tmp_path / "live.db", tmp_path / "backups" / "monday.db"
    copy.parent.mkdir()
    datora("demo", "--people", "20", "--db", db)

    made = datora("backup", copy, "--db", db)

    assert f"Backed up {db} to {copy}" in made.stderr
    stats = datora("stats", "--db", db).stdout
    assert datora("stats", "--db", copy).stdout == stats.replace(str(db), str(copy))
    [entry] = map(
        json.loads,
        datora("audit", "--action", "backup", "--json", "--db", copy).stdout.splitlines(),
    )
    assert (entry["actor"], entry["reason"]) == (
        f"cli:{getpass.getuser()}",
        f"copied the store to {copy}",
    )
    assert [p.name for p in copy.parent.iterdir()] == ["monday.db"], "no partial file left"


def test_a_backup_refuses_an_existing_file_and_a_neo4j_store(tmp_path: Path) -> None:
    db, taken = tmp_path / "live.db", tmp_path / "taken.db"
    datora("demo", "--people", "5", "--db", db)
    taken.write_text("someone's file")

    refused = datora("backup", taken, "--db", db, ok=False)
    on_neo4j = datora("backup", tmp_path / "n.db", ok=False, store="neo4j")

    assert refused.returncode == 2
    assert f"{taken} exists already: a backup never overwrites a file" in refused.stderr
    assert taken.read_text() == "someone's file"
    assert datora("audit", "--action", "backup", "--json", "--db", db).stdout == ""
    assert on_neo4j.returncode == 2
    assert "neo4j-admin database dump" in on_neo4j.stderr


def test_check_says_a_sound_store_is_sound_and_names_a_damaged_one(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    datora("demo", "--people", "20", "--db", db)

    sound = datora("check", "--db", db)
    full = datora("check", "--full", "--db", db)
    damage_table(db)
    damaged = datora("check", "--db", db, ok=False)
    on_neo4j = datora("check", ok=False, store="neo4j")

    assert f"The store at {db} is sound: SQLite's quick_check read " in sound.stderr
    assert "SQLite's integrity_check read" in full.stderr
    assert damaged.returncode == 1
    assert f"Error: the SQLite store at {db} is damaged (SQLite's quick_check found: " in (
        damaged.stderr
    )
    assert "restore the latest backup" in damaged.stderr
    assert on_neo4j.returncode == 2
    assert "check Neo4j with its own tools (neo4j-admin database check)" in on_neo4j.stderr
