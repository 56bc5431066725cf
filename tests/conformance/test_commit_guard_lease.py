"""Neo4j only: the commit guard's lease. A writer that dies with a write in flight leaves the
guard's mark behind; guarded reads (snapshots, stats, profile slices) wait for it only until its
lease runs out, or until the next writer takes the lock, while a live writer's heartbeats keep
its mark for as long as its write runs. (SQLite's reads are snapshots and need no guard.)"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.store.base import GraphStore
from datora_graph.store.neo4j_commit_guard import begin_mark

from .conftest import StoreOpener

LEASE_SECONDS = 1.0
WAIT_SECONDS = 30
QUICK_SECONDS = 0.5
"""A read that waited for no mark answers well within this."""
KEYS = ["email:ann@acme.io"]


def neo4j_store(store_opener: StoreOpener, lease_seconds: float) -> GraphStore:
    """A handle whose marks hold for `lease_seconds`, closed when the test ends."""
    from datora_graph.store.neo4j import Neo4jStore

    probe = store_opener.open()
    if not isinstance(probe, Neo4jStore):
        pytest.skip("the commit guard is a Neo4j matter")
    store = Neo4jStore(replace(probe._neo4j.target, guard_lease_seconds=lease_seconds))
    store_opener.handles.append(store)
    return store


def leave_mark_as_a_crashed_writer(store: GraphStore) -> None:
    """Mark a write in flight and never beat nor end it: what a writer killed (kill -9, its
    host gone) right after marking leaves."""
    connection = store._neo4j  # type: ignore[attr-defined]
    connection.execute_write(lambda tx: begin_mark(tx, connection._lease_params()))


def timed_snapshot(store: GraphStore) -> float:
    started = time.monotonic()
    store.load_snapshot(KEYS)
    return time.monotonic() - started


def test_a_guarded_read_stops_waiting_once_a_crashed_writers_lease_runs_out(
    store_opener: StoreOpener,
) -> None:
    store = neo4j_store(store_opener, LEASE_SECONDS)
    leave_mark_as_a_crashed_writer(store)

    waited = timed_snapshot(store)

    assert waited >= LEASE_SECONDS / 2, "the read did not wait for a mark whose lease ran"
    assert waited < 5, f"the read waited {waited:.1f} s for a mark whose lease ran out"
    assert timed_snapshot(store) < QUICK_SECONDS, "a read after the lease still waited"


def test_a_live_writer_keeps_its_mark_for_as_long_as_its_write_runs(
    store_opener: StoreOpener,
) -> None:
    store = neo4j_store(store_opener, LEASE_SECONDS)
    holding, release = threading.Event(), threading.Event()

    def write() -> None:
        with store.writer_lock(), store._neo4j.writing():  # type: ignore[attr-defined]
            holding.set()
            release.wait(WAIT_SECONDS)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    assert holding.wait(WAIT_SECONDS), "the writer never marked its write"
    threading.Timer(3 * LEASE_SECONDS, release.set).start()

    waited = timed_snapshot(store)
    writer.join(WAIT_SECONDS)

    assert waited >= 2.5 * LEASE_SECONDS, "a read stopped waiting for a live writer's mark"
    assert waited < 3 * LEASE_SECONDS + 5


def test_the_next_writer_ends_the_mark_a_crashed_writer_left(store_opener: StoreOpener) -> None:
    """Its lease (here an hour) need not run out: the fence the next holder advances proves
    nothing of that mark can commit any more."""
    crashed = neo4j_store(store_opener, 3600.0)
    leave_mark_as_a_crashed_writer(crashed)
    reader = store_opener.open()

    with reader.writer_lock():
        pass

    assert timed_snapshot(reader) < QUICK_SECONDS


def test_a_write_whose_lease_ran_out_is_not_committed(store_opener: StoreOpener) -> None:
    """Its heartbeats did not reach the server: readers may have stopped waiting for its mark,
    so it fails rather than commit beside their reads."""
    store = neo4j_store(store_opener, 60.0)  # the first heartbeat is 20 s away
    connection = store._neo4j  # type: ignore[attr-defined]

    with connection.writing():
        # From another thread: a write of the marking thread would check the lease itself.
        lapse = threading.Thread(
            target=connection.execute_write,
            args=(
                lambda tx: tx.run(
                    "MATCH (g:Meta {key: 'commit_guard'}) SET g.lease_until = timestamp() - 1"
                ).consume(),
            ),
        )
        lapse.start()
        lapse.join(WAIT_SECONDS)
        with pytest.raises(StoreUnavailable, match="lease of 60 s"):
            connection.execute_write(lambda tx: tx.run("CREATE (:LeaseProbe)").consume())

    probes = connection.execute_read(
        lambda tx: tx.run("MATCH (p:LeaseProbe) RETURN count(p) AS n").single()["n"]
    )
    assert probes == 0
