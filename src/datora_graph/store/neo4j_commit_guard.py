"""The commit guard's lease: how long readers wait for a write in flight, and how its writer
keeps that going while it is alive.

A write under the writer lock marks the guard (an odd version, see `neo4j_connection`) for a
lease on the server's clock, `DATORA_NEO4J_GUARD_LEASE_SECONDS`. While the block runs, a
heartbeat thread extends the lease every third of it; a writer that crashed (kill -9, its host
gone) stops beating, and readers stop waiting for its mark once the lease has run out, instead
of for as long as its longest write could have lasted (an hour or two for a batch).

A read must still never see half a changeset. A write made inside a mark checks, as its
transaction's last statement, that its lease still runs for another third of it (`margin`), and
commits only then: a writer whose heartbeats did not reach the server fails instead of
committing where readers no longer wait. A reader takes the mark for abandoned only when its
lease had run out before the read began, and reads again when the guard changed while it read,
as a late heartbeat changes it. The next holder of the writer lock ends a mark its predecessor
left at once: the fence it advances proves nothing of that holder can commit any more.

`GuardedTransactions` is where the connection marks its writes (`writing`) and checks its
reads (`guarded_read`) with these pieces.

    >>> lease = GuardLease(15.0)
    >>> (lease.heartbeat_seconds, lease.margin_ms)
    (5.0, 5000)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from neo4j import ManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.domain.records import iso
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_transactions import Neo4jTarget, Work
from datora_graph.store.neo4j_writer_lock import WriterLockTransactions

_Result = TypeVar("_Result")

GUARD_PAUSE_SECONDS = (0.002, 0.1)
"""A guarded read that overlapped a write waits this long before reading again, doubling."""
BEATS_PER_LEASE = 3
"""Heartbeats per lease: one may be slow or lost and the lease still holds."""
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GuardState:
    """The commit guard as one read saw it: its version is odd while a write is in flight."""

    version: int | None
    writing_since: str | None
    writing_until: str | None = None
    """The latest its writer said its attempts could last, on the writer's clock; what readers
    of releases before the lease go by. None when written by a release before it."""
    lease_until: int | None = None
    """Until when the mark holds, in epoch milliseconds on the server's clock, extended by its
    writer's heartbeats; None when the mark has no lease (a writer of an earlier release)."""
    read_at: int | None = field(default=None, compare=False)
    """The server's clock when this state was read (epoch milliseconds)."""

    def write_in_flight(self, now: str, stale_before: str) -> bool:
        """A write is running unless its lease ran out before this read, or, for a mark of an
        earlier release without a lease, it is past the longest its writer said it could take,
        or it started before `stale_before` (its writer crashed before ending it)."""
        if self.version is None or self.version % 2 == 0:
            return False
        if self.lease_until is not None and self.read_at is not None:
            return self.lease_until >= self.read_at
        if self.writing_until is not None:
            return self.writing_until >= now
        return (self.writing_since or "") >= stale_before


@dataclass(frozen=True, slots=True)
class GuardLease:
    """How long a mark holds without a heartbeat (`DATORA_NEO4J_GUARD_LEASE_SECONDS`)."""

    seconds: float

    @property
    def ms(self) -> int:
        return max(1, round(self.seconds * 1000))

    @property
    def heartbeat_seconds(self) -> float:
        return self.seconds / BEATS_PER_LEASE

    @property
    def margin_ms(self) -> int:
        """How long the lease must still run when a write inside the mark commits: what the
        commit may take to become visible, a heartbeat's interval."""
        return max(1, round(self.heartbeat_seconds * 1000))


@dataclass(frozen=True, slots=True)
class GuardMark:
    """A mark this process made: the thread whose writes are inside it, the odd version it
    set, and the writer fence its holder advanced (None: made without the writer lock)."""

    thread: int
    version: int
    fence: int | None


class LeaseKeeper:
    """Calls `extend` every `interval` seconds on a thread of its own until stopped, or until
    `extend` answers False (the mark is no longer this writer's). A failing call is logged and
    tried again at the next beat: the lease outlasts a few, and a write whose lease ran out
    fails its own check rather than commit."""

    def __init__(self, interval: float, extend: Callable[[], bool], name: str = "lease") -> None:
        self.interval = interval
        self._extend = extend
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"datora-{name}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop beating. Waits at most a beat for one in progress: a beat that lands after the
        mark ended finds another version and changes nothing."""
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(self.interval)

    def _beat(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                if not self._extend():
                    return
            except Exception as exc:  # a heartbeat must outlive a failing one
                logger.warning(
                    "the commit guard's heartbeat failed (%s); trying again in %.1f s",
                    exc,
                    self.interval,
                )


def begin_mark(tx: ManagedTransaction, params: dict[str, object]) -> int:
    record = tx.run(CYPHER.guard_begin_write, params).single()
    assert record is not None, "MERGE ... RETURN answers one row"
    return int(record["version"])


def extend_lease(tx: ManagedTransaction, params: dict[str, object]) -> bool:
    """Whether the mark was still the writer's, and so extended."""
    return tx.run(CYPHER.guard_extend_lease, params).single() is not None


def lease_held(tx: ManagedTransaction, mark: GuardMark, lease: GuardLease) -> bool:
    params = {"version": mark.version, "margin_ms": lease.margin_ms}
    record = tx.run(CYPHER.guard_lease_check, params).single()
    return record is not None and bool(record["held"])


def guard_state(tx: ManagedTransaction) -> GuardState:
    record = tx.run(CYPHER.guard_read).single()
    if record is None:
        return GuardState(None, None)
    return GuardState(
        record["version"],
        record["writing_since"],
        record["writing_until"],
        record["lease_until"],
        record["read_at"],
    )


def leased(
    work: Callable[[ManagedTransaction], _Result], mark: GuardMark, lease: GuardLease, uri: str
) -> Callable[[ManagedTransaction], _Result]:
    """`work`, committed only when the mark's lease still runs long enough for the commit:
    past it, readers take the mark for one a crashed writer left and no longer wait for it."""

    def unit(tx: ManagedTransaction) -> _Result:
        result = work(tx)
        if not lease_held(tx, mark, lease):
            raise StoreUnavailable(
                f"Neo4j at {uri}: the commit guard's lease of {lease.seconds:g} s "
                "(DATORA_NEO4J_GUARD_LEASE_SECONDS) ran out before this write could commit: its "
                "heartbeats did not reach the server in time, so readers may no longer wait for "
                "it. This write was not committed: send the request again"
            )
        return result

    return unit


class GuardedTransactions(WriterLockTransactions):
    """Transactions whose reads can wait out a write in flight (`guarded_read`), and whose
    writes under the writer lock can mark the guard while they run (`writing`)."""

    def __init__(self, target: Neo4jTarget) -> None:
        self._mark: GuardMark | None = None
        self._lease = GuardLease(target.guard_lease_seconds)
        super().__init__(target)

    def write_unit(self, work: Work[_Result]) -> Work[_Result]:
        """`work`, followed by the lease check when it is inside the thread's `writing()`
        block, and preceded by the fence check when the calling thread holds the writer
        lock."""
        mark = self._mark
        if mark is not None and mark.thread == threading.get_ident():
            work = leased(work, mark, self._lease, self.target.uri)
        return super().write_unit(work)

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
        each write inside it commits only while the lease still runs (see the module's
        docstring)."""
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
