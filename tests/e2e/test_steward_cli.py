"""`datora steward`, run as a steward scripts it: JSON out, decisions under `cli:<user>`."""

from __future__ import annotations

import getpass
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from tests.conformance.replay_world import World
from tests.conformance.test_replay_answered import _answered_through_the_person
from tests.e2e.test_cli import datora, write_jsonl

from datora_graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow


def observation(item_id: str, *keys: str, minute: int) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "shop",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
    }


def answer(*args: str | Path, db: Path) -> Any:
    return json.loads(datora("steward", *args, "--db", db).stdout)


def kiosk_store(tmp_path: Path) -> Path:
    """A store where Ann and Bob were joined through a kiosk."""
    db = tmp_path / "steward.db"
    source = write_jsonl(
        tmp_path / "obs.jsonl",
        observation("o1", "email:ann@acme.io", "cookie_id:c-1", minute=1),
        observation("o2", "cookie_id:c-1", "device_id:kiosk", minute=2),
        observation("o3", "device_id:kiosk", "email:bob@acme.io", minute=3),
    )
    datora("ingest", "observations", source, "--db", db)
    return db


def test_a_steward_splits_a_kiosk_profile_and_undoes_it(tmp_path: Path) -> None:
    db = kiosk_store(tmp_path)

    explained = answer("explain", "email:ann@acme.io", "email:bob@acme.io", db=db)
    fused = explained["profile_a"]
    assert len(explained["paths"][0]["links"]) == 3
    why = answer("why", fused, "--a", "email:ann@acme.io", "--b", "email:bob@acme.io", db=db)
    assert len(why["tree"]) == 3
    assert why["split_proposals"]

    split = answer(
        "split", fused, "--cut", "cookie_id:c-1|device_id:kiosk", "--reason", "kiosk", db=db
    )
    assert split["actor"] == f"cli:{getpass.getuser()}"
    assert len(split["profiles_after"]) == 2

    undone = answer("undo", split["id"], "--reason", "wrong call", db=db)
    assert undone["kind"] == "undo"
    log = answer("decisions", db=db)
    assert [d["kind"] for d in log] == ["split", "undo"]

    refused = datora("steward", "undo", split["id"], "--reason", "again", "--db", db, ok=False)
    assert refused.returncode != 0
    assert "undone already" in refused.stderr


def test_a_rebuild_after_an_erasure_applies_the_redacted_split_and_says_so(
    tmp_path: Path,
) -> None:
    db = kiosk_store(tmp_path)
    fused = answer("explain", "email:ann@acme.io", "email:bob@acme.io", db=db)["profile_a"]
    answer("split", fused, "--cut", "cookie_id:c-1|device_id:kiosk", "--reason", "kiosk", db=db)
    bob = datora("profile", "show", "email:bob@acme.io", "--db", db).stdout

    erased = datora("erase", "email:ann@acme.io", "--reason", "GDPR 7", "--yes", "--db", db)
    refused = datora("steward", "undo", answer("decisions", db=db)[0]["id"], "--reason", "x",
                     "--db", db, ok=False)  # fmt: skip
    rebuilt = datora("resolve", "--rebuild", "--db", db).stdout

    assert json.loads(erased.stdout)["removed"]["decisions_redacted"] == 1
    assert "cannot be undone exactly" in refused.stderr
    assert re.search(r"steward decisions applied again\s*│\s*1\b", rebuilt), rebuilt
    assert "not applied again" not in rebuilt
    bob_id = re.search(r"prf_\w+", bob)
    assert bob_id is not None
    assert bob_id.group() in datora("profile", "show", "email:bob@acme.io", "--db", db).stdout


def test_a_steward_lists_and_resolves_review_items(tmp_path: Path) -> None:
    db = tmp_path / "review.db"
    source = write_jsonl(
        tmp_path / "obs.jsonl",
        observation("a", "crm_id:A-1", "email:p@acme.io", minute=1),
        observation("b", "crm_id:B-1", "phone:+14155550101", minute=2),
        observation("j", "email:p@acme.io", "phone:+14155550101", minute=3),
    )
    datora("ingest", "observations", source, "--db", db)
    [item] = answer("review", db=db)

    both = datora(
        "steward",
        "resolve",
        str(item["id"]),
        "--accept",
        "--reject",
        "--reason",
        "x",
        "--db",
        db,
        ok=False,
    )
    neither = datora("steward", "resolve", str(item["id"]), "--reason", "x", "--db", db, ok=False)
    bogus = datora("steward", "review", "--status", "closed", "--db", db, ok=False)

    assert both.returncode == neither.returncode == bogus.returncode == 2
    assert "exactly one of --accept and --reject (both given)" in both.stderr
    assert "(neither given)" in neither.stderr
    assert (
        "'closed' is not one of 'open', 'accepted', 'rejected', 'answered', 'all'" in bogus.stderr
    )
    assert answer("decisions", db=db) == [], "a refused command decides nothing"
    unknown = datora("steward", "resolve", "999", "--accept", "--reason", "x", "--db", db, ok=False)
    assert "Error: ITEM: no review item has the ID 999" in unknown.stderr

    rejected = answer("resolve", str(item["id"]), "--reject", "--reason", "twins", db=db)

    assert rejected["kind"] == "review_reject"
    assert answer("review", db=db) == []
    assert [i["status"] for i in answer("review", "--status", "rejected", db=db)] == ["rejected"]
    assert [i["id"] for i in answer("review", "--status", "all", db=db)] == [item["id"]]


def test_a_long_review_queue_and_decision_log_are_read_a_page_at_a_time(tmp_path: Path) -> None:
    """Each page's JSON stays whole on stdout; how to go on is said on stderr."""
    db = tmp_path / "queue.db"
    people = [
        observation(f"c{n}", f"crm_id:C-{n}", f"email:p{n}@acme.io", minute=n) for n in range(3)
    ]
    rivals = [
        observation(f"r{n}", f"crm_id:R-{n}", f"email:p{n}@acme.io", minute=10 + n)
        for n in range(3)
    ]
    datora(
        "ingest", "observations", write_jsonl(tmp_path / "o.jsonl", *people, *rivals), "--db", db
    )
    everything = [item["id"] for item in answer("review", db=db)]

    first = datora("steward", "review", "--first", "2", "--db", db)
    more = re.search(r"More: datora (.*)", first.stderr)
    assert more is not None, first.stderr
    rest = json.loads(datora(*shlex.split(more[1])).stdout)

    assert len(everything) == 3
    assert [i["id"] for i in json.loads(first.stdout)] + [i["id"] for i in rest] == everything

    item = str(everything[0])
    answer("resolve", item, "--reject", "--reason", "twins", db=db)
    log = datora("steward", "decisions", "--first", "1", "--db", db)
    assert len(json.loads(log.stdout)) == 1
    assert "More:" not in log.stderr, "one decision fills one page exactly, and no more follow"


def test_a_split_refused_names_every_group_as_the_command_line_does(tmp_path: Path) -> None:
    db = kiosk_store(tmp_path)
    fused = answer("explain", "email:ann@acme.io", "email:bob@acme.io", db=db)["profile_a"]

    refused = datora(
        "steward", "split", fused, "--group", "email:ann@acme.io,cookie_id:c-1",
        "--group", "email:bob@acme.io,cookie_id:c-1", "--reason", "kiosk", "--db", db, ok=False,
    )  # fmt: skip

    assert "--group 2, identifier 2: cookie_id:c-1 is also in --group 1" in refused.stderr
    assert "groups[" not in refused.stderr


def test_a_rebuild_names_a_decision_it_cannot_apply_again_once(tmp_path: Path) -> None:
    """The split kept Ann and Bob together and the person apart; erased, the person leaves
    its one part in two profiles of a replay, so the rebuild cannot apply it again and says
    so, once (the summary names it; the log line beside it is not printed too)."""
    world = World(SqliteStore(tmp_path / "datora.db"), tmp_path)
    _answered_through_the_person(world)
    [split] = [d for d in world.stewards.all_decisions() if d.kind == "split"]
    world.store.close()

    rebuilt = datora("resolve", "--rebuild", "--db", tmp_path / "datora.db")

    said = " ".join((rebuilt.stdout + rebuilt.stderr).split())
    assert "not applied again" in said
    assert said.count(split.id) == 1
