"""`datora migrate`, run as a person would: a demo database carried into a second SQLite file
comes out with the same profiles (IDs, identifiers, attributes), and a target that holds data
is refused unless asked for, and so is a migration under settings that would reject records
the source holds. The Neo4j direction runs through the same port methods, checked
by the conformance suite against every store."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import damage_table

from datora_graph.store.sqlite_backup import back_up
from datora_graph.store.sqlite_damage import WHAT_TO_DO

pytestmark = pytest.mark.slow  # each command is a fresh Python process


def datora(*args: str | Path, ok: bool = True, **settings: str) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).with_name("datora")
    command = str(beside_python) if beside_python.exists() else shutil.which("datora")
    assert command, "the `datora` command is not installed; run `pip install -e .`"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATORA_")}
    env.update({f"DATORA_{name.upper()}": value for name, value in settings.items()})
    env["COLUMNS"] = "200"
    result = subprocess.run(
        [command, *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )
    if ok:
        assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}{result.stderr}"
    return result


def profiles(db: Path) -> list[dict[str, Any]]:
    lines = datora("export", "profiles", "--db", db).stdout.splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database with a segment and consent beside the log."""
    folder = tmp_path_factory.mktemp("source")
    db = folder / "source.db"
    datora("demo", "--people", "80", "--db", db)
    buyers = '{"event": {"type": "purchase", "at_least": 1}}'
    datora("segment", "define", "Buyers", "--definition", buyers, "--db", db)
    email = next(i["value"] for p in profiles(db) for i in p["identifiers"] if i["type"] == "email")
    statement = {
        "identifier": {"type": "email", "value": email},
        "purpose": "email_marketing",
        "status": "granted",
        "source": "web",
    }
    (folder / "consent.jsonl").write_text(json.dumps(statement) + "\n", encoding="utf-8")
    datora("consent", "record", folder / "consent.jsonl", "--db", db)
    return db


def test_a_store_migrated_into_another_has_the_same_profiles(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "target.db"

    migrated = datora("migrate", "--db", source, "--to", "sqlite", "--target-db", target)

    assert "The partitions match" in migrated.stdout
    before, after = profiles(source), profiles(target)
    assert len(before) > 50
    assert after == before  # same IDs, identifiers and attributes, in the same order
    assert "Buyers" in datora("segment", "list", "--db", target).stdout
    source_stats = datora("stats", "--db", source).stdout.splitlines()[1:]
    assert datora("stats", "--db", target).stdout.splitlines()[1:] == source_stats


def test_a_target_that_holds_data_is_refused_unless_asked(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    datora("migrate", "--db", source, "--to", "sqlite", "--target-db", target)

    refused = datora("migrate", "--db", source, "--to", "sqlite", "--target-db", target, ok=False)

    assert refused.returncode == 1
    assert "the target store is not empty" in refused.stderr
    assert "--into-nonempty" in refused.stderr
    again = datora(
        "migrate", "--db", source, "--to", "sqlite", "--target-db", target, "--into-nonempty"
    )
    assert "The partitions match" in again.stdout
    assert profiles(target) == profiles(source)


def test_the_target_must_be_named_and_must_not_be_the_source(source: Path) -> None:
    unnamed = datora("migrate", "--db", source, "--to", "sqlite", ok=False)
    itself = datora("migrate", "--db", source, "--to", "sqlite", "--target-db", source, ok=False)

    assert unnamed.returncode == 2
    assert "--to sqlite needs --target-db" in unnamed.stderr
    assert itself.returncode == 2
    assert "is the source database itself" in itself.stderr


def test_a_mistyped_source_is_refused_not_created_and_migrated_empty(tmp_path: Path) -> None:
    mistyped = tmp_path / "nx2.db"
    target = tmp_path / "m.db"

    refused = datora("migrate", "--db", mistyped, "--to", "sqlite", "--target-db", target, ok=False)

    assert refused.returncode == 1
    assert f"No database at {mistyped} to migrate from" in refused.stderr
    assert not mistyped.exists()
    assert not target.exists()


LOYALTY = {"identifier_types": '{"loyalty_id": {"normaliser": "id"}}'}


@pytest.fixture
def loyal(tmp_path: Path) -> Path:
    """Ann's record carries a loyalty number, a type only the settings it was ingested with
    know; Bob's record and the client's broken one do not."""
    db = tmp_path / "loyal.db"
    records = [
        {"id": "o1", "identifiers": [("email", "ann@acme.io"), ("loyalty_id", "L-1")]},
        {"id": "o2", "identifiers": [("email", "bob@acme.io")]},
        {"id": "bad", "identifiers": [("email", "zed@")]},
    ]
    lines = [
        {
            "id": r["id"],
            "source": "crm",
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{"type": t, "value": v} for t, v in r["identifiers"]],
        }
        for r in records
    ]
    source = tmp_path / "o.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    datora("ingest", "observations", source, "--db", db, **LOYALTY)
    return db


def test_a_migration_that_would_reject_records_is_refused_before_the_target_is_made(
    loyal: Path, tmp_path: Path
) -> None:
    target = tmp_path / "target.db"

    refused = datora("migrate", "--db", loyal, "--to", "sqlite", "--target-db", target, ok=False)

    assert refused.returncode == 1
    assert "a migration under the current settings would reject 1 logged observation" in (
        refused.stderr
    )
    assert "o1: identifiers[1].type: unknown identifier type 'loyalty_id'" in refused.stderr
    assert "is DATORA_IDENTIFIER_TYPES set as when they were ingested?" in refused.stderr
    assert "nothing was written to the target" in refused.stderr
    assert "run it again with --allow-rejections" in refused.stderr
    assert not target.exists()


def test_an_allowed_migration_lists_what_it_rejected_and_a_rebuild_brings_it_back(
    loyal: Path, tmp_path: Path
) -> None:
    target = tmp_path / "target.db"
    flag = "--allow-rejections"

    allowed = datora("migrate", "--db", loyal, "--to", "sqlite", "--target-db", target, flag)
    listed = datora("rejected", "--db", target).stdout
    rebuilt = datora("resolve", "--rebuild", "--db", target, **LOYALTY).stdout

    assert "1 logged observation is rejected by the current settings: in the target's log" in (
        allowed.stdout
    )
    assert f"datora rejected --db {target}" in allowed.stdout
    assert "1 profile differs because of the observations rejected on replay" in allowed.stdout
    assert "it held email:ann@acme.io of o1, rejected on replay" in allowed.stdout
    assert "do not explain" not in allowed.stdout
    assert "o1" in listed
    assert "no longer valid under the target's settings: unknown identifier type" in listed
    assert "bad" in listed  # the client's broken item, rejected at ingest, is carried too
    assert re.search(r"rejected on replay\W+0\b", rebuilt), rebuilt
    assert profiles(target) == profiles(loyal)
    assert "o1" not in datora("rejected", "--db", target).stdout


def test_a_migration_under_the_settings_of_ingest_is_not_held_up(
    loyal: Path, tmp_path: Path
) -> None:
    target = tmp_path / "target.db"

    migrated = datora("migrate", "--db", loyal, "--to", "sqlite", "--target-db", target, **LOYALTY)

    assert "The partitions match" in migrated.stdout
    assert "refused on replay" not in migrated.stdout
    assert profiles(target) == profiles(loyal)


def test_an_allowed_migration_still_fails_on_a_difference_the_rejections_do_not_explain(
    loyal: Path, tmp_path: Path
) -> None:
    """The target held Bob's email already, so his profile there is another one: that is not
    the loyalty record's doing, and the command says so and exits 1 although it was allowed to
    reject records."""
    target = tmp_path / "target.db"
    bob = tmp_path / "bob.jsonl"
    line = {
        "id": "t1",
        "source": "shop",
        "observed_at": "2026-05-01T09:00:00Z",
        "identifiers": [{"type": "email", "value": "bob@acme.io"}],
    }
    bob.write_text(json.dumps(line) + "\n", encoding="utf-8")
    datora("ingest", "observations", bob, "--db", target)
    args = ("--db", loyal, "--to", "sqlite", "--target-db", target, "--into-nonempty")

    failed = datora("migrate", *args, "--allow-rejections", ok=False)

    assert failed.returncode == 1
    assert "1 profile differs because of the observations rejected on replay" in failed.stdout
    assert "1 profile differs in ways the observations rejected on replay do not explain" in (
        failed.stdout
    )
    assert "(email:bob@acme.io) is not in the target: no record rejected on replay" in (
        failed.stdout
    )
    assert "compare the settings the migration ran under (DATORA_*)" in failed.stderr


def test_a_damaged_source_names_the_files_of_the_migration_not_a_traceback(
    source: Path, tmp_path: Path
) -> None:
    damaged, target = tmp_path / "damaged.db", tmp_path / "target.db"
    back_up(source, damaged)
    damage_table(damaged, "observations")

    refused = datora("migrate", "--db", damaged, "--to", "sqlite", "--target-db", target, ok=False)

    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.endswith(
        f"Error: the SQLite store at {damaged} or the one at {target} is damaged (database disk "
        f"image is malformed): {WHAT_TO_DO}\n"
    )
    assert "Traceback" not in refused.stderr
