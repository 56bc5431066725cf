"""The writer lock across handles: two handles on one store stand for two processes (each has
its own connections, or its own file descriptor), and their read-resolve-commit cycles must
take turns, or merges are lost."""

from __future__ import annotations

import random
import threading
from contextlib import AbstractContextManager
from dataclasses import replace

import pytest

from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

from .builders import assert_profiles_are_components
from .conftest import StoreOpener

WAIT_SECONDS = 30
"""How long a test waits for something that should happen at once; it fails after that."""
BLOCKED_SECONDS = 0.5
"""How long a waiting handle must stay waiting to count as kept out."""


class _Taker(threading.Thread):
    """Takes a lock in its own thread, holds it until told, then releases it."""

    def __init__(self, lock: AbstractContextManager[object]) -> None:
        super().__init__(daemon=True)
        self.lock = lock
        self.holding = threading.Event()
        self.release = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with self.lock:
                self.holding.set()
                self.release.wait(WAIT_SECONDS)
        except BaseException as error:
            self.failure = error


def test_a_second_handle_waits_while_the_first_holds_the_lock(
    store_opener: StoreOpener,
) -> None:
    first, second = store_opener.open(), store_opener.open()
    holder = _Taker(first.writer_lock())
    holder.start()
    assert holder.holding.wait(WAIT_SECONDS), f"the first handle never got the lock: {holder}"

    waiter = _Taker(second.writer_lock())
    waiter.start()
    assert not waiter.holding.wait(BLOCKED_SECONDS), "both handles held the lock at once"

    holder.release.set()
    assert waiter.holding.wait(WAIT_SECONDS), "the lock was not passed on once released"
    waiter.release.set()
    for taker in (holder, waiter):
        taker.join(WAIT_SECONDS)
        assert taker.failure is None


def test_a_holder_that_goes_away_frees_the_lock(store_opener: StoreOpener) -> None:
    """A process that dies holding the lock (its connections or file closed under it) must not
    keep the others out."""
    first, second = store_opener.open(), store_opener.open()
    held = first.writer_lock()
    held.__enter__()
    waiter = _Taker(second.writer_lock())
    waiter.start()
    assert not waiter.holding.wait(BLOCKED_SECONDS), "both handles held the lock at once"

    store_opener.close(first)
    assert waiter.holding.wait(WAIT_SECONDS), "a closed handle still held the lock"
    waiter.release.set()
    waiter.join(WAIT_SECONDS)
    assert waiter.failure is None


def test_two_handles_ingesting_at_once_lose_no_merge(store_opener: StoreOpener) -> None:
    """Each handle links random pairs of a small pool of cookies, so most batches merge
    profiles the other handle has just changed; the graph must still be the connected
    components of every pair sent, each profile counting exactly its identifiers."""
    batches, per_batch, cookies = 30, 4, 60
    unbounded = Settings(hub_max_profiles=10**6, max_profile_identifiers=10**6)
    failures: list[BaseException] = []
    pairs: list[tuple[str, str]] = []

    def write(tag: str, store: GraphStore, seed: int) -> None:
        rng = random.Random(seed)
        service = IdentityService(store, unbounded)
        try:
            for b in range(batches):
                items = []
                for i in range(per_batch):
                    x, y = rng.sample(range(cookies), 2)
                    pairs.append((f"cookie_id:c{x}", f"cookie_id:c{y}"))
                    items.append(
                        {
                            "id": f"{tag}-{b}-{i}",
                            "source": tag,
                            "observed_at": "2026-05-01T10:00:00Z",
                            "identifiers": [
                                {"type": "cookie_id", "value": f"c{x}"},
                                {"type": "cookie_id", "value": f"c{y}"},
                            ],
                        }
                    )
                report = service.ingest_observations(items)
                assert report.accepted == per_batch, report
        except BaseException as error:
            failures.append(error)

    writers = [
        threading.Thread(target=write, args=(tag, store_opener.open(), seed))
        for seed, tag in enumerate(("left", "right"))
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
        assert not writer.is_alive()
    assert failures == []

    assert_profiles_are_components(store_opener.open(), pairs)


def test_the_next_holder_reads_from_where_the_last_one_wrote(store_opener: StoreOpener) -> None:
    """Neo4j only: on a cluster, a writer's reads may go to a member that lags behind, so the
    holder leaves the bookmarks of its writes with the lock and the next holder waits for
    them. (SQLite has one file and nothing to hand over.)"""
    from datora_graph.store.neo4j import Neo4jStore

    first, second = store_opener.open(), store_opener.open()
    if not isinstance(first, Neo4jStore) or not isinstance(second, Neo4jStore):
        pytest.skip("bookmarks are a Neo4j matter")
    # The ingest takes the lock, writes under it and releases it.
    IdentityService(first, Settings()).ingest_observations(
        [
            {
                "id": "o-1",
                "source": "crm",
                "observed_at": "2026-05-01T10:00:00Z",
                "identifiers": [{"type": "crm_id", "value": "C-1"}],
            }
        ]
    )
    written = set(first._neo4j._own_bookmarks.raw_values)
    assert written, "the driver reported no bookmarks for the first handle's writes"

    with second.writer_lock():
        assert written <= second._neo4j._bookmarks.get_bookmarks()


def test_a_holder_whose_lock_ended_under_it_cannot_write_beside_the_next(
    store_opener: StoreOpener,
) -> None:
    """Neo4j only: the lock is a transaction, and one can end while its holder still works (a
    cluster's leader moves, or the lock timeout passes). The next holder advances the writer
    fence, and the first holder's next write fails instead of committing beside its writes.
    (SQLite's lock is a file lock, held as long as its process lives.)"""
    from datora_graph.domain.errors import StoreUnavailable
    from datora_graph.store.neo4j import Neo4jStore

    probe = store_opener.open()
    if not isinstance(probe, Neo4jStore):
        pytest.skip("the writer fence is a Neo4j matter")
    target = replace(probe._neo4j.target, lock_timeout_seconds=1.0)
    first = Neo4jStore(target)
    store_opener.handles.append(first)
    second = store_opener.open()

    with first.writer_lock():
        # The server ends the first lock's transaction after a second (it checks every few).
        taker = _Taker(second.writer_lock())
        taker.start()
        assert taker.holding.wait(WAIT_SECONDS), "the lock never passed on after its timeout"
        with pytest.raises(StoreUnavailable, match="another process took the writer lock"):
            first.add_cannot_link("email:a@acme.io", "email:b@acme.io", "test")
        taker.release.set()
        taker.join(WAIT_SECONDS)
    assert taker.failure is None

    with first.writer_lock():  # taken again, the fence is its own once more
        assert first.add_cannot_link("email:a@acme.io", "email:b@acme.io", "test") > 0
