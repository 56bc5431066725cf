"""Reads while a write runs: a reader sees a changeset whole or not at all."""

from __future__ import annotations

import threading

from datora_graph.store.base import GraphStore

from .builders import seed

COMMITS = 150


def test_readers_never_see_half_a_changeset(store: GraphStore) -> None:
    """Each changeset adds one observation, one profile and two identifiers; every read taken
    while they are committed must show those counts in step."""
    started, done = threading.Event(), threading.Event()
    torn: list[str] = []
    reads = 0

    def read_while_writing() -> None:
        nonlocal reads
        while not done.is_set() and len(torn) < 5:
            stats = store.stats()
            reads += 1
            started.set()
            if not stats.identifiers == 2 * stats.profiles == 2 * stats.observations:
                torn.append(repr(stats))
            last = store.last_sequence()
            if last:
                keys = [f"email:p{last}@acme.io", f"cookie_id:c-{last}"]
                snapshot = store.load_snapshot(keys)
                if len(snapshot.identifiers) != 2 or len(snapshot.profiles) != 1:
                    torn.append(f"after seq {last}: {snapshot}")

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    try:
        assert started.wait(timeout=30), "the reader never managed a first read"
        for seq in range(1, COMMITS + 1):
            seed(store, f"prf_{seq:04d}", [f"email:p{seq}@acme.io", f"cookie_id:c-{seq}"], seq=seq)
    finally:
        done.set()
        reader.join(timeout=30)

    assert not reader.is_alive()
    assert torn == []
    assert reads > 0
    assert store.stats().profiles == COMMITS
