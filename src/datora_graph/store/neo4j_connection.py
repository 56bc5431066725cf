"""How the Neo4j store talks to Neo4j: one driver, managed transactions, errors, a commit guard.

Every unit of work runs through the driver's managed transactions (`execute_read`,
`execute_write`), which retry transient failures and lost connections for up to the configured
timeout; each transaction is also bounded by that timeout on the server. Failures that mean the
store cannot serve (unreachable, credentials refused, no such database) become
`StoreUnavailable` naming the URI.

Neo4j reads are read-committed: a read may see part of a changeset that commits while it
runs. Reads that must see a changeset whole or not at all (`guarded_read`) check a commit
guard, a version on a :Meta node that a write makes odd in a transaction of its own before it
starts and even again once it has committed, and read again when a write overlapped them. A
mark holds for a lease its writer's heartbeats extend, so one a crashed writer left stops
readers for that lease only (`neo4j_commit_guard`).

One flag means one write in flight at a time: had two overlapped, the end of the first would
make the version even while the second still commits, and a read then could see half of it. So
only writes made under the writer lock (below) mark the guard, and they take turns; a holder the
lock was taken from cannot end its successor's mark either, since its end is fenced like its
writes. Writes made beside the lock (a REST consent call, segment definitions, erased-record
fingerprints from a migration) change nothing a guarded read reads (stats, graph counts,
snapshots, profile slices) and leave the guard alone: a write that changes what those read must
be made under the lock, as every cycle of ingest, rebuild, steward decision and erasure is
(`datora migrate` alone writes its target directly, as the only writer of that database).

Writers in different processes take turns through the writer lock: a transaction that holds a
:Meta node write-locked while its process resolves and commits in others (`take_writer_lock`).
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from neo4j import (
    Bookmarks,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    Session,
    Transaction,
    unit_of_work,
)
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.exceptions import ConfigurationError as DriverConfigurationError

from datora_graph.domain.errors import ConfigurationError, StoreUnavailable
from datora_graph.domain.records import iso
from datora_graph.store.neo4j_commit_guard import (
    GUARD_PAUSE_SECONDS,
    GuardLease,
    GuardMark,
    GuardState,
    LeaseKeeper,
    begin_mark,
    extend_lease,
    guard_state,
    leased,
)
from datora_graph.store.neo4j_cypher import CYPHER

_Result = TypeVar("_Result")
Work = Callable[[ManagedTransaction], _Result]

URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
TRANSACTION_TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOut"
"""The server's own `db.transaction.timeout` ended a transaction."""
OUR_TIMEOUT = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
"""A transaction's own timeout, which this connection sets, ended it."""
SECURITY = "Neo.ClientError.Security."
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


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    """Where the store lives and how to reach it (from `DATORA_NEO4J_*`)."""

    uri: str
    user: str
    password: str
    database: str
    pool_size: int = 50
    timeout_seconds: float = 30.0
    lock_timeout_seconds: float = 3600.0
    guard_lease_seconds: float = 15.0


class Neo4jConnection:
    """A driver with its pool, opened and checked on construction."""

    def __init__(self, target: Neo4jTarget) -> None:
        self.target = target
        self._closed = False
        scheme = target.uri.partition("://")[0]
        if scheme not in URI_SCHEMES:
            raise ConfigurationError(
                f"DATORA_NEO4J_URI={target.uri!r}: the scheme must be one of "
                f"{', '.join(URI_SCHEMES)} (for example bolt://localhost:7687)"
            )
        try:
            self._driver: Driver = GraphDatabase.driver(
                target.uri,
                auth=(target.user, target.password),
                max_connection_pool_size=target.pool_size,
                connection_timeout=target.timeout_seconds,
                connection_acquisition_timeout=target.timeout_seconds,
                max_transaction_retry_time=target.timeout_seconds,
            )
        except (ValueError, DriverConfigurationError) as exc:
            raise ConfigurationError(f"DATORA_NEO4J_URI={target.uri!r}: {exc}") from exc
        self._handed_over = Bookmarks.from_raw_values(())
        self._own_bookmarks = Bookmarks.from_raw_values(())
        self._bookmark_updates = 0
        self._fence: WriterFence | None = None
        self._mark: GuardMark | None = None
        self._lease = GuardLease(target.guard_lease_seconds)
        self._bookmarks = GraphDatabase.bookmark_manager(
            bookmarks_supplier=self._bookmarks_handed_over,
            bookmarks_consumer=self._note_own_bookmarks,
        )
        try:
            self.ping()
        except ValueError as exc:
            self._driver.close()
            raise ConfigurationError(f"DATORA_NEO4J_URI={target.uri!r}: {exc}") from exc
        except BaseException:
            self._driver.close()
            raise

    # -- units of work --------------------------------------------------------------------
    def execute_read(self, work: Work[_Result]) -> _Result:
        """Run `work` in one managed read transaction (retried on transient failures)."""
        with self._errors(), self._session() as session:
            return session.execute_read(self._bounded(work))

    def execute_write(self, work: Work[_Result], timeout: float | None = None) -> _Result:
        """Run `work` in one managed write transaction (retried on transient failures), so it
        commits whole or not at all; the server ends it after `timeout` seconds (default: the
        connection's timeout). Wrap writes readers must not see half of in `writing()`, and make
        them under the writer lock (see the module's docstring). A write of the thread holding
        the writer lock checks the fence first."""
        with self._errors(), self._session() as session:
            return session.execute_write(self._bounded(self.write_unit(work), timeout))

    def execute_bulk_write(self, work: Work[_Result]) -> _Result:
        """`execute_write` for one large write made under the writer lock (a batch's
        changeset, a page of the log index): a busy server may take longer than the usual 30 s
        over 25,000 observations, so it is bounded by the lock's timeout instead."""
        return self.execute_write(work, timeout=self.target.lock_timeout_seconds)

    def holds_writer_lock(self) -> bool:
        """Whether the calling thread holds the writer lock (its lock is not re-entrant)."""
        return self._held_fence() is not None

    def write_unit(self, work: Work[_Result]) -> Work[_Result]:
        """`work`, preceded by the fence check when the calling thread holds the writer lock,
        and followed by the lease check when it is inside the thread's `writing()` block."""
        mark = self._mark
        if mark is not None and mark.thread == threading.get_ident():
            work = leased(work, mark, self._lease, self.target.uri)
        fence = self._held_fence()
        return work if fence is None else fenced(work, fence.value, self.target.uri)

    def _held_fence(self) -> WriterFence | None:
        """The fence of the writer lock if the calling thread holds it."""
        fence = self._fence
        return fence if fence is not None and fence.thread == threading.get_ident() else None

    def guarded_read(self, work: Work[_Result]) -> _Result:
        """Run `work` so that it sees every write whole or not at all: read the commit guard
        before and after it, and read again while a write overlapped. Waits at most the
        timeout for a running write to finish, then answers with what it read."""
        deadline = time.monotonic() + self.target.timeout_seconds
        pause, longest = GUARD_PAUSE_SECONDS

        def guarded(tx: ManagedTransaction) -> tuple[GuardState, _Result, GuardState]:
            before = guard_state(tx)
            result = work(tx)
            return before, result, guard_state(tx)

        while True:
            before, result, after = self.execute_read(guarded)
            now = datetime.now(UTC)
            stale_before = iso(now - timedelta(seconds=self._longest_write()))
            settled = before == after and not before.write_in_flight(iso(now), stale_before)
            if settled or time.monotonic() >= deadline:
                return result
            time.sleep(pause)
            pause = min(pause * 2, longest)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Mark the writes inside the block as in flight for guarded reads, and done after.
        The mark holds for the lease, which a heartbeat thread extends while the block runs;
        each write inside it commits only while the lease still runs (`neo4j_commit_guard`)."""
        fence = self._held_fence()
        mark = GuardMark(
            threading.get_ident(),
            self.execute_write(lambda tx: begin_mark(tx, self._lease_params())),
            None if fence is None else fence.value,
        )
        try:
            with LeaseKeeper(self._lease.heartbeat_seconds, lambda: self._extend(mark)):
                self._mark = mark
                try:
                    yield
                finally:
                    self._mark = None
        except BaseException:
            with suppress(StoreUnavailable, Neo4jError, DriverError):
                self._end_write()
            raise
        self._end_write()

    def _extend(self, mark: GuardMark) -> bool:
        """One heartbeat: extend the mark's lease, unless it is no longer this writer's."""
        params = {**self._lease_params(), "version": mark.version, "fence": mark.fence}
        return self.execute_write(
            lambda tx: extend_lease(tx, params), timeout=self._lease.heartbeat_seconds
        )

    def _lease_params(self) -> dict[str, object]:
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self._lease.seconds)
        return {"now": iso(now), "until": iso(until), "lease_ms": self._lease.ms}

    def _end_write(self) -> None:
        self.execute_write(lambda tx: tx.run(CYPHER.guard_end_write).consume())

    def _longest_write(self) -> float:
        """How long a write's attempts can last: each is bounded by the timeout, and a failed
        one is tried again for up to the timeout, so the last may start that long after the
        first ended. A mark of an earlier release, without a lease nor a bound of its own,
        older than this was left behind by a writer that crashed."""
        return 3 * self.target.timeout_seconds

    # -- the writer lock ------------------------------------------------------------------
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

    def _bookmarks_handed_over(self) -> Bookmarks:
        return self._handed_over

    def _note_own_bookmarks(self, bookmarks: Bookmarks) -> None:
        self._own_bookmarks = bookmarks
        self._bookmark_updates += 1

    # -- lifecycle ------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise StoreUnavailable, naming the URI and the reason, unless Neo4j answers and
        accepts the credentials."""
        self._check_open()
        with self._errors():
            self._driver.verify_connectivity()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._driver.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable(f"the Neo4j store at {self.target.uri} is closed")

    @contextmanager
    def _session(self) -> Iterator[Session]:
        self._check_open()
        with self._driver.session(
            database=self.target.database, bookmark_manager=self._bookmarks
        ) as session:
            yield session

    def _bounded(self, work: Work[_Result], timeout: float | None = None) -> Work[_Result]:
        """`work` as a unit of work the server ends after `timeout` (default: the timeout)."""

        def unit(tx: ManagedTransaction) -> _Result:
            return work(tx)

        limit = self.target.timeout_seconds if timeout is None else timeout
        return unit_of_work(timeout=limit)(unit)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver failures that mean the store cannot serve, as StoreUnavailable."""
        where = f"Neo4j at {self.target.uri}"
        try:
            yield
        except AuthError as exc:
            raise StoreUnavailable(
                f"{where} refused the credentials of user {self.target.user!r} "
                f"(DATORA_NEO4J_USER, DATORA_NEO4J_PASSWORD): {exc.message or exc}"
            ) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"{where} cannot be reached: {exc}") from exc
        except TransientError as exc:
            raise StoreUnavailable(
                f"{where} stayed unavailable through the retries of "
                f"{self.target.timeout_seconds:g} s: {exc.message or exc}"
            ) from exc
        except Neo4jError as exc:
            if exc.code == DATABASE_NOT_FOUND:
                raise StoreUnavailable(
                    f"{where} has no database {self.target.database!r} (DATORA_NEO4J_DATABASE)"
                ) from exc
            if (exc.code or "").startswith(SECURITY):
                raise StoreUnavailable(
                    f"{where} does not let user {self.target.user!r} do what the store needs "
                    f"(schema, reads and writes on {self.target.database!r}): {exc.message}"
                ) from exc
            if exc.code == OUR_TIMEOUT:
                raise StoreUnavailable(
                    f"{where} did not finish a transaction within its time limit: "
                    f"{self.target.timeout_seconds:g} s (DATORA_NEO4J_TIMEOUT_SECONDS), or "
                    f"{self.target.lock_timeout_seconds:g} s for a batch's commit "
                    "(DATORA_NEO4J_LOCK_TIMEOUT_SECONDS)"
                ) from exc
            if exc.code == TRANSACTION_TIMED_OUT:
                raise StoreUnavailable(
                    f"{where} ended a transaction at the server's own limit "
                    f"(db.transaction.timeout in neo4j.conf): {exc.message or exc}"
                ) from exc
            raise


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
