"""A review item held by a cannot-link that an erasure deleted (an end of it was the person's)
names no constraint afterwards, live as after a rebuild or a migration: the store reuses a
deleted constraint's ID, so an item still naming it would one day name a stranger's. The
link stays held (the record keeps the hold, `_held_here`), for a reason that says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datora_graph.domain.cannot_links import ERASED_CONSTRAINT_REASON, held_by_constraint
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.migrate import Migration
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

from .replay_world import World

C1, E0, E1 = "crm_id:C1", "email:e0@x.io", "email:e1@x.io"
PHONE, D9 = "phone:+14155552671", "device_id:d9"


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> World:
    return World(store, tmp_path)


def _held_by_c1s_constraint(world: World) -> World:
    """The split cuts C1 off e1 (a cannot-link C1-e1); C1 then joins e0, so the record of e0
    and e1 is held by that constraint; a second split cuts C1 off e0."""
    world.ingest(C1, E1)
    world.split(C1, (C1, E1))
    world.ingest(C1, E0)
    world.ingest(E0, E1)
    world.split(C1, (C1, E0))
    return world


def items(store: GraphStore) -> list[tuple[Any, ...]]:
    """Every review item as a steward reads it: pair, status, guard, the pair of the
    constraint it names (`missing` for one the store no longer has) and its reason, the
    reason left out where it quotes a constraint's ID (a store's own, not carried over)."""
    constraints = {c.id: (c.a, c.b) for c in store.list_cannot_links()}
    found = []
    for i in store.list_review_items(ReviewFilter(None, 0, 1000)).items:
        named = held_by_constraint(i)
        pair = None if named is None else constraints.get(named, "missing")
        found.append((i.a, i.b, i.status, i.guard, pair, "" if named else i.reason))
    return sorted(found, key=repr)


def assert_replays_agree(world: World, live: list[tuple[Any, ...]]) -> None:
    """A migration, then a rebuild of the live store, give the items `live` holds."""
    target = SqliteStore(world.folder / "items.db")
    try:
        Migration(world.store, target, world.identity.settings).run()
        assert items(target) == live
    finally:
        target.close()
    world.identity.rebuild()
    assert items(world.store) == live


def test_an_item_whose_constraint_the_erasure_deleted_names_none(world: World) -> None:
    _held_by_c1s_constraint(world).erase(C1)
    live = items(world.store)

    assert live == [(E0, E1, "open", "cannot_link", None, ERASED_CONSTRAINT_REASON)]
    [item] = world.store.list_review_items(ReviewFilter("open", 0, 10)).items
    assert item.constraint_id is None
    assert_replays_agree(world, live)


def test_a_constraint_made_after_the_erasure_is_not_named_by_the_held_item(
    world: World,
) -> None:
    """A new constraint may take the erased one's ID (a migration numbers them afresh, from
    1): the held item must not come to name it."""
    _held_by_c1s_constraint(world).erase(C1)
    world.ingest(PHONE, D9)
    world.split(D9, (PHONE, D9))
    live = items(world.store)

    assert (E0, E1, "open", "cannot_link", None, ERASED_CONSTRAINT_REASON) in live
    assert_replays_agree(world, live)


def test_an_item_rejected_before_the_erasure_names_only_its_own_constraint(
    world: World,
) -> None:
    """The steward's rejection made a cannot-link of e0 and e1 themselves: it stays, the item
    stays rejected, and neither names the erased one."""
    _held_by_c1s_constraint(world)
    [item] = world.store.list_review_items(ReviewFilter("open", 0, 10)).items
    world.stewards.resolve_review_item(item.id, False, reason="two people", actor="s")
    world.erase(C1)
    live = items(world.store)

    assert live == [(E0, E1, "rejected", "cannot_link", None, ERASED_CONSTRAINT_REASON)]
    assert [(c.a, c.b) for c in world.store.list_cannot_links()] == [(E0, E1)]
    assert_replays_agree(world, live)


def test_an_item_between_the_person_and_another_goes_with_its_constraint(
    world: World,
) -> None:
    """Held by C1-e1 while e0 was in C1's profile: the erasure of that profile takes e0, so
    the item, an end of which was the person's, goes too."""
    world.ingest(C1, E1)
    world.split(C1, (C1, E1))
    world.ingest(C1, E0)
    world.ingest(E0, E1)
    world.erase(C1)

    assert items(world.store) == []
    assert_replays_agree(world, [])


def test_a_constraint_between_others_keeps_holding_after_its_split_is_redacted(
    world: World,
) -> None:
    """The split of e1 off C1 and e0 cut the link e0-e1: a cannot-link between two identifiers
    that are not the person's. The erasure of C1 redacts the split but keeps that constraint,
    and the item it holds when e0 and e1 are sent together again names it, live as replayed."""
    world.ingest(C1, E0)
    world.ingest(E0, E1)
    world.stewards.split_profile(
        world.identity.lookup(C1).id, groups=[[C1, E0], [E1]], reason="r", actor="s"
    )
    world.split(C1, (C1, E0))
    world.erase(C1)
    world.ingest(E0, "device_id:d1")
    world.ingest(E1, "device_id:d1")
    live = items(world.store)

    assert (E0, E1) in [(c.a, c.b) for c in world.store.list_cannot_links()]
    assert [i[4] for i in live] == [(E0, E1)]
    assert_replays_agree(world, live)
