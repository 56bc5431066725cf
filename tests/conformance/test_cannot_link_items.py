"""A review item a cannot-link held names its constraint in data (`constraint_id`), so the
erasure, a rebuild and a migration read it there: its reason is words for a steward, and
words are redacted, reworded or written by an older version."""

from __future__ import annotations

from pathlib import Path

import pytest

from datora_graph.domain.profiles import ReviewFilter, ReviewItem
from datora_graph.resolution import guards
from datora_graph.store.base import GraphStore

from .replay_world import World

C1, E0, E1 = "crm_id:C1", "email:e0@x.io", "email:e1@x.io"


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> World:
    return World(store, tmp_path)


def _held_by_a_constraint(world: World) -> World:
    """The split cuts C1 off e1 (a cannot-link C1-e1); C1 then joins e0, so the record of e0
    and e1 is held by that constraint."""
    world.ingest(C1, E1)
    world.split(C1, (C1, E1))
    world.ingest(C1, E0)
    world.ingest(E0, E1)
    return world


def _open_items(store: GraphStore) -> dict[tuple[str, str], ReviewItem]:
    return {(i.a, i.b): i for i in store.list_review_items(ReviewFilter("open", 0, 100)).items}


def test_an_item_a_cannot_link_held_names_its_constraint(world: World) -> None:
    _held_by_a_constraint(world).ingest(C1, "crm_id:C3")
    items = _open_items(world.store)
    [constraint] = [c for c in world.store.list_cannot_links() if (c.a, c.b) == (C1, E1)]

    assert items[(E0, E1)].guard == "cannot_link"
    assert items[(E0, E1)].constraint_id == constraint.id
    assert items[(C1, "crm_id:C3")].guard == "limit"
    assert items[(C1, "crm_id:C3")].constraint_id is None


def test_a_rebuild_and_a_migration_name_the_same_constraint(world: World) -> None:
    live = _held_by_a_constraint(world).state()

    assert live["held_by"] == [(E0, E1, (C1, E1))]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_an_erasure_keeps_the_hold_when_the_reason_names_no_constraint(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasure of C1 takes its constraint, so it marks the record of e0 and e1 with the
    hold (see the replay agreement tests' R); it found the constraint by parsing the reason, so
    reworded words let the pair merge in a replay."""
    monkeypatch.setattr(guards, "cannot_link_reason", lambda _: "a steward keeps them apart")
    _held_by_a_constraint(world)
    world.split(C1, (C1, E0))
    world.erase(C1)
    live = world.state()

    assert live["review"] == [(E0, E1)]
    assert world.rebuilt() == live
    assert world.migrated() == live
