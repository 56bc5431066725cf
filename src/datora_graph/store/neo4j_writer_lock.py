"""The Neo4j store's writer lock, which keeps the read-resolve-commit cycles of every thread
and process writing one Neo4j database apart, and the fence that keeps a holder it was taken
from from writing beside the next.

Neo4j serialises transactions, not cycles: two processes ingesting at once (`datora ingest`
beside `datora serve --workers 4` taking REST batches) would each commit a changeset computed
from a graph the other had already changed, and lose merges. The lock is a transaction that
holds a :Meta node write-locked for the length of a cycle (`take_writer_lock`), so Neo4j's own
lock manager makes the others wait, and a holder that dies releases it when the server rolls
its transaction back. The threads of one process queue on a thread lock first
(`CrossProcessLock`) rather than each holding a connection open while it waits.

The holder leaves the bookmarks of its writes on that node, and the next holder's sessions
wait for them, so on a cluster it reads what the last writer wrote.

A lock transaction can end while its holder still works: a cluster's leader moves (the lock
lived in the old leader's lock manager), or `DATORA_NEO4J_LOCK_TIMEOUT_SECONDS` passes (a
holder that hangs, or whose host vanished without closing its connection, would otherwise keep
every writer waiting for hours). So each holder advances a fence as it takes the lock, and
every write it makes checks the fence first, in the write's own transaction: a holder that has
been overtaken fails at its next write instead of committing beside the new holder's. The
advance also ends a commit guard mark the previous holder left: nothing of it can commit now.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from neo4j import Bookmarks, ManagedTransaction, Session, Transaction
from neo4j.exceptions import DriverError, Neo4jError, TransientError

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.domain.records import iso
from datora_graph.store.cross_process_lock import CrossProcessLock
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_transactions import Neo4jTarget, Neo4jTransactions, Work

_Result = TypeVar("_Result")
logger = logging.getLogger(__name__)

LOCK_WAIT_ENDED = "Neo.TransientError.Transaction.LockAcquisitionTimeout"
"""The server ended a wait for a lock (`db.lock.acquisition.timeout`); not a failure."""
LOCK_WAIT_PAUSE_SECONDS = 0.1
LOCK_WAIT_REPORT_SECONDS = 30.0
"""A writer still waiting for the lock says so this often."""


@dataclass(frozen=True, slots=True)
class WriterLockHold:
    """The open transaction that holds the writer lock, and how often this process's bookmarks
    had moved when it was taken."""

    session: Session
    transaction: Transaction
    bookmark_updates: int


@dataclass(frozen=True, slots=True)
class WriterFence:
    """The fence value this process's holder of the writer lock advanced it to, and the thread
    holding the lock: only that thread's writes are fenced."""

    thread: int
    value: int


class Neo4jWriterLock(CrossProcessLock):
    """Held by one thread of one process at a time, across every process on the database."""

    def __init__(self, connection: WriterLockTransactions) -> None:
        super().__init__()
        self._connection = connection
        self._hold: WriterLockHold | None = None

    def _take(self) -> None:
        self._hold = self._connection.take_writer_lock()

    def _give_back(self, *, clean: bool) -> None:
        """Hands over this process's bookmarks whether or not the block ended `clean`: a
        block can fail after a commit."""
        hold, self._hold = self._hold, None
        if hold is not None:
            self._connection.release_writer_lock(hold)


class WriterLockTransactions(Neo4jTransactions):
    """Transactions that can take the writer lock, whose writes the lock's fence checks while
    the calling thread holds it."""

    def __init__(self, target: Neo4jTarget) -> None:
        self._fence: WriterFence | None = None
        super().__init__(target)

    def holds_writer_lock(self) -> bool:
        """Whether the calling thread holds the writer lock (its lock is not re-entrant)."""
        return self._held_fence() is not None

    def write_unit(self, work: Work[_Result]) -> Work[_Result]:
        """`work`, preceded by the fence check when the calling thread holds the writer lock."""
        work = super().write_unit(work)
        fence = self._held_fence()
        return work if fence is None else fenced(work, fence.value, self.target.uri)

    def _held_fence(self) -> WriterFence | None:
        """The fence of the writer lock if the calling thread holds it."""
        fence = self._fence
        return fence if fence is not None and fence.thread == threading.get_ident() else None

    def take_writer_lock(self) -> WriterLockHold:
        """Open the transaction that holds the store's writer lock, waiting for as long as
        another process holds it, and adopt the bookmarks that process left. The transaction
        carries its holder in its metadata, so `SHOW TRANSACTIONS` names a process that holds
        the lock for long. Where the server bounds a lock wait (`db.lock.acquisition.timeout`),
        a wait it ends is started again: a writer waits its turn, as on the embedded store. A
        failure the driver calls retryable (a leader switch, a deadlock) is tried again for up
        to the timeout, as managed transactions are; then it is StoreUnavailable. Once held,
        the writer fence is advanced, and this thread's writes check it until the release."""
        self._check_open()
        holder = f"{socket.gethostname()}:{os.getpid()}"
        waiting_since = last_said = time.monotonic()
        failing_since: float | None = None
        while True:
            try:
                hold = self._try_writer_lock(holder)
            except (Neo4jError, DriverError) as exc:
                # A leader switch, a dropped connection or a deadlock: try again for as long
                # as managed transactions retry, then report it as they do.
                failing_since = failing_since or time.monotonic()
                if not exc.is_retryable() or self._retried_enough(failing_since):
                    with self._errors():
                        raise
                logger.warning(
                    "Neo4j at %s: trying again to take the writer lock after: %s",
                    self.target.uri,
                    exc,
                )
                time.sleep(LOCK_WAIT_PAUSE_SECONDS)
                continue
            failing_since = None
            if hold is not None:
                self._fence_for(hold, holder)
                return hold
            if time.monotonic() - last_said >= LOCK_WAIT_REPORT_SECONDS:
                last_said = time.monotonic()
                logger.info(
                    "Neo4j at %s: still waiting for the writer lock after %.0f s; "
                    "SHOW TRANSACTIONS names the process that holds it",
                    self.target.uri,
                    last_said - waiting_since,
                )
            time.sleep(LOCK_WAIT_PAUSE_SECONDS)

    def _fence_for(self, hold: WriterLockHold, holder: str) -> None:
        """Advance the writer fence for the hold just taken; when that fails, give the lock
        back (nothing was written under it) and report the failure."""
        try:
            value = self._advance_fence(holder)
        except BaseException:
            with suppress(Neo4jError, DriverError):
                hold.transaction.rollback()
            with suppress(Neo4jError, DriverError):
                hold.session.close()
            raise
        self._fence = WriterFence(threading.get_ident(), value)

    def _advance_fence(self, holder: str) -> int:
        """Advance the fence, and in the same transaction end a commit guard mark the previous
        holder left (it crashed, or its lock ended under it): the advance waited for its write
        in flight, and its later writes fail the fence check, so nothing of that mark can
        commit, and readers need not wait for its lease."""
        params = {"holder": holder, "now": iso(datetime.now(UTC))}

        def advance(tx: ManagedTransaction) -> int:
            record = tx.run(CYPHER.writer_fence_advance, params).single()
            assert record is not None, "MERGE ... RETURN answers one row"
            tx.run(CYPHER.guard_clear_abandoned, params).consume()
            return int(record["fence"])

        return self.execute_write(advance)

    def _retried_enough(self, failing_since: float) -> bool:
        return time.monotonic() - failing_since >= self.target.timeout_seconds

    def _try_writer_lock(self, holder: str) -> WriterLockHold | None:
        """One wait for the lock: the hold, or None when the server ended the wait. A driver
        failure is raised as it is, for `take_writer_lock` to retry or report."""
        session = self._driver.session(database=self.target.database)
        try:
            # Bounded by the lock timeout, not the transaction timeout: a cycle (a rebuild
            # above all) may take long. Should the lock end mid-cycle all the same, the fence
            # stops this holder's next write once another process holds the lock.
            transaction = session.begin_transaction(
                metadata={"app": "datora-graph", "holds": "writer lock", "holder": holder},
                timeout=self.target.lock_timeout_seconds,
            )
            now = iso(datetime.now(UTC))
            try:
                transaction.run(CYPHER.writer_lock_take, {"holder": holder, "now": now}).consume()
            except TransientError as exc:
                if exc.code != LOCK_WAIT_ENDED:
                    raise
                with suppress(Neo4jError, DriverError):
                    transaction.rollback()
                session.close()
                return None
            record = transaction.run(CYPHER.writer_lock_handover).single()
        except BaseException:
            with suppress(Neo4jError, DriverError):
                session.close()
            raise
        left = None if record is None else record["bookmarks"]
        if left:
            self._handed_over = Bookmarks.from_raw_values(left)
        return WriterLockHold(session, transaction, self._bookmark_updates)

    def release_writer_lock(self, hold: WriterLockHold) -> None:
        """End the lock's transaction, and so release the lock. When this process's bookmarks
        moved during the hold, commit them for the next holder, even when the block then
        failed: what committed before the failure must be visible to the next writer. When
        they did not move, roll back, keeping what the previous holder left. A failure here is
        logged, not raised: the work done under the lock has committed already, and a
        transaction the server cannot finish is rolled back, which releases the lock all the
        same."""
        self._fence = None
        moved = self._bookmark_updates != hold.bookmark_updates
        try:
            if moved:
                # Those handed over too: what is left for the next holder never goes back.
                bookmarks = sorted(self._own_bookmarks.raw_values | self._handed_over.raw_values)
                now = iso(datetime.now(UTC))
                hold.transaction.run(
                    CYPHER.writer_lock_release, {"bookmarks": bookmarks, "now": now}
                ).consume()
                hold.transaction.commit()
            else:
                hold.transaction.rollback()
        except (Neo4jError, DriverError) as exc:
            logger.warning(
                "Neo4j at %s: the writer lock was released without leaving this process's "
                "bookmarks for the next writer (%s); on a cluster, the next writer may read "
                "from a member that has not caught up with this process's writes yet",
                self.target.uri,
                exc,
            )
        finally:
            with suppress(Neo4jError, DriverError):
                hold.session.close()


def fenced(work: Work[_Result], fence: int, uri: str) -> Work[_Result]:
    """`work`, run only when the writer fence still holds `fence`: the fence check comes first
    in the same transaction, and a fence that moved fails the transaction before `work` runs."""

    def unit(tx: ManagedTransaction) -> _Result:
        now = iso(datetime.now(UTC))
        record = tx.run(CYPHER.writer_fence_check, {"now": now}).single()
        found = None if record is None else record["fence"]
        if found != fence:
            raise StoreUnavailable(
                f"Neo4j at {uri}: another process took the writer lock while this one held "
                "it (its lock transaction ended under it: a cluster leader switch, the "
                "server's db.transaction.timeout or DATORA_NEO4J_LOCK_TIMEOUT_SECONDS); this "
                "write was not committed, so nothing overlapped: send the request again"
            )
        return work(tx)

    return unit
