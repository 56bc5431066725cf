"""A store file written before records answered review items is upgraded once when opened:
its items whose ends a later record joined become what a rebuild makes them. The older file
is made as that release left it: the items set open again, their links held, no upgrade mark
(SQL on the file, the one way to write an older state without the older release)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.conformance.replay_world import World
from tests.e2e.test_cli import datora

from datora_graph.answered_upgrade import AnsweredUpgrade, upgrade_answered_items
from datora_graph.store.sqlite import SqliteStore

OLDER_RELEASE = (
    "UPDATE evidence SET status = 'held' WHERE status = 'active' AND EXISTS ("
    " SELECT 1 FROM review_items r"
    " WHERE r.status = 'answered' AND r.a = evidence.a AND r.b = evidence.b)",
    "UPDATE review_items SET status = 'open', answered_by = '' WHERE status = 'answered'",
)


def answered_world(path: Path) -> tuple[World, dict[str, Any]]:
    """Two items a later record answers (Bob's pair by o6; Eve's by `early`, which merged
    into Dee's profile the one Eve's had joined: observed before every record, it is the
    first merge by time, and only the merges' recorded order names it), one item that stays
    open; the live state."""
    world = World(SqliteStore(path / "datora.db"), path)
    world.ingest("email:ann@x.io", "cookie_id:k1", first_name="Ann")
    world.ingest("email:bob@x.io", "device_id:d1", first_name="Bob")
    world.ingest("email:bob@x.io", "cookie_id:k1", first_name="Bob")
    world.ingest("email:cy@x.io", first_name="Cy")
    world.ingest("email:cy@x.io", "cookie_id:k1", first_name="Cy")
    world.ingest("email:ann@x.io", "device_id:d1")
    world.ingest(
        "email:dee@x.io", "cookie_id:k2", "phone:+14155552671", "crm_id:D1", first_name="Dee"
    )
    world.ingest("email:eve@x.io", first_name="Eve")
    world.ingest("email:eve@x.io", "cookie_id:k2", first_name="Eve")
    world.ingest("email:fay@x.io", "device_id:d3", "user_id:F1")
    world.ingest("email:eve@x.io", "device_id:d3")
    early = {
        "id": "early",
        "source": "crm",
        "observed_at": "2026-04-01T10:00:00Z",
        "identifiers": [
            {"type": "email", "value": "dee@x.io"},
            {"type": "email", "value": "fay@x.io"},
        ],
    }
    assert world.identity.ingest_observations([early]).accepted == 1
    return world, world.state()


def as_the_older_release_left_it(path: Path) -> None:
    with sqlite3.connect(path / "datora.db") as db:
        for statement in OLDER_RELEASE:
            db.execute(statement)
        db.execute("DELETE FROM meta WHERE key LIKE 'upgrade:%'")


def reopened(world: World, path: Path) -> World:
    world.store.close()
    return World(SqliteStore(path / "datora.db"), path)


def test_an_older_file_opens_with_its_items_answered_as_a_rebuild_answers_them(
    tmp_path: Path,
) -> None:
    world, live = answered_world(tmp_path)
    assert live["answered"] == [
        ("cookie_id:k1", "email:bob@x.io", "o6"),
        ("cookie_id:k2", "email:eve@x.io", "early"),
    ]
    as_the_older_release_left_it(tmp_path)
    older = reopened(world, tmp_path)
    assert older.state()["answered"] == []

    report = upgrade_answered_items(older.store)

    assert report == AnsweredUpgrade(len(live["answered"]), 0)
    assert older.state() == live
    assert older.rebuilt() == live
    older.store.close()


def test_the_upgrade_runs_once_and_not_again_on_the_next_open(tmp_path: Path) -> None:
    world, _ = answered_world(tmp_path)
    world.store.close()
    store = SqliteStore(tmp_path / "datora.db")
    assert upgrade_answered_items(store) == AnsweredUpgrade(0, 0)
    store.close()
    as_the_older_release_left_it(tmp_path)
    with sqlite3.connect(tmp_path / "datora.db") as db:
        db.execute("INSERT INTO meta VALUES ('upgrade:answered_review_items', 'before')")
    store = SqliteStore(tmp_path / "datora.db")

    assert upgrade_answered_items(store) is None
    store.close()


def test_a_store_a_steward_changed_is_left_for_a_rebuild_and_says_so(tmp_path: Path) -> None:
    """A steward's decision rewrites the graph beside its merges, which the upgrade replays;
    the items stay open, the message names them and the rebuild, and the open after the
    rebuild finds nothing left and marks the upgrade done."""
    world, _ = answered_world(tmp_path)
    world.ingest("crm_id:C2", "user_id:U2")
    world.split("crm_id:C2", ("crm_id:C2", "user_id:U2"))
    live = world.state()
    as_the_older_release_left_it(tmp_path)
    older = reopened(world, tmp_path)

    report = upgrade_answered_items(older.store)

    assert report == AnsweredUpgrade(0, len(live["answered"]))
    message = report.message() or ""
    assert f"{len(live['answered'])} open review items" in message
    assert "datora resolve --rebuild" in message
    assert upgrade_answered_items(older.store) == report
    assert older.rebuilt() == live
    assert upgrade_answered_items(older.store) == AnsweredUpgrade(0, 0)
    assert upgrade_answered_items(older.store) is None
    older.store.close()


def test_the_cli_says_what_waits_for_a_rebuild_and_the_rebuild_answers_it(
    tmp_path: Path,
) -> None:
    """A command that opens the older store says how many items wait and for what; the
    rebuild itself does not tell the person to run it, and leaves nothing for the next."""
    world, live = answered_world(tmp_path)
    world.ingest("crm_id:C2", "user_id:U2")
    world.split("crm_id:C2", ("crm_id:C2", "user_id:U2"))
    as_the_older_release_left_it(tmp_path)
    world.store.close()
    db = tmp_path / "datora.db"

    shown = datora("profile", "show", "email:bob@x.io", "--db", db)
    rebuilt = datora("resolve", "--rebuild", "--db", db)
    again = datora("profile", "show", "email:bob@x.io", "--db", db)

    waiting = f"{len(live['answered'])} open review items have both identifiers in one profile"
    assert " ".join(shown.stderr.split()).count(waiting) == 1, "said once"
    assert "open review items" not in rebuilt.stderr
    assert "open review items" not in again.stderr
    store = SqliteStore(db)
    try:
        assert upgrade_answered_items(store) is None
    finally:
        store.close()
