"""Driver failures no local test can cause without a Neo4j server, raised on purpose: how the
connection reports them and when it tries again. The connection is real (its driver is made,
nothing is dialled); only the steps that would reach a server are replaced: taking the writer
lock, and the lock's transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from neo4j import Bookmarks
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget, WriterLockHold
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_writer_lock import Neo4jWriterLock

TARGET = Neo4jTarget("bolt://127.0.0.1:7687", "neo4j", "secret", "neo4j", timeout_seconds=0.5)


def server_error(code: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message="said the server")


class ScriptedConnection(Neo4jConnection):
    """Each try to take the writer lock answers the next of `script`: an error to raise, or
    a value to return. The fence advances by one per hold taken, or fails with `fence_error`."""

    def __init__(self, script: list[Any], fence_error: BaseException | None = None) -> None:
        self.script: Iterator[Any] = iter(script)
        self.tries = 0
        self.fences = 0
        self.fence_error = fence_error
        super().__init__(TARGET)

    def ping(self) -> None:
        """No server to check."""

    def _advance_fence(self, holder: str) -> int:
        if self.fence_error is not None:
            raise self.fence_error
        self.fences += 1
        return self.fences

    def _try_writer_lock(self, holder: str) -> Any:
        self.tries += 1
        step = next(self.script)
        if isinstance(step, BaseException):
            raise step
        return step


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("datora_graph.store.neo4j_writer_lock.LOCK_WAIT_PAUSE_SECONDS", 0.001)


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
            "within its time limit: 0.5 s (DATORA_NEO4J_TIMEOUT_SECONDS), or 3600 s for a "
            "batch's commit (DATORA_NEO4J_LOCK_TIMEOUT_SECONDS)",
        ),
        (
            "Neo.ClientError.Transaction.TransactionTimedOut",
            "at the server's own limit (db.transaction.timeout in neo4j.conf)",
        ),
    ],
)
def test_a_transaction_that_timed_out_names_the_limit_that_ended_it(code: str, said: str) -> None:
    connection = ScriptedConnection([])
    try:
        with pytest.raises(StoreUnavailable) as reported, connection._errors():
            raise server_error(code)
    finally:
        connection.close()

    assert said in str(reported.value)


def test_taking_the_writer_lock_tries_again_after_a_leader_switch_or_a_deadlock() -> None:
    hold = WriterLockHold(LockSession(), LockTransaction(), 0)  # type: ignore[arg-type]
    connection = ScriptedConnection(
        [
            ServiceUnavailable("leader switch"),
            server_error("Neo.TransientError.Transaction.DeadlockDetected"),
            None,  # the server ended a lock wait
            hold,
        ]
    )
    try:
        assert connection.take_writer_lock() is hold
    finally:
        connection.close()
    assert connection.tries == 4


def lock_refused(script: list[Any]) -> tuple[str, int]:
    """What taking the writer lock reported, and after how many tries."""
    connection = ScriptedConnection(script)
    try:
        with pytest.raises(StoreUnavailable) as reported:
            connection.take_writer_lock()
    finally:
        connection.close()
    return str(reported.value), connection.tries


def test_taking_the_writer_lock_gives_up_after_the_timeout_naming_the_server() -> None:
    message, tries = lock_refused([ServiceUnavailable("gone")] * 10_000)

    assert "Neo4j at bolt://127.0.0.1:7687 cannot be reached" in message
    assert 1 < tries < 10_000


def test_a_failure_no_retry_can_help_is_reported_at_once() -> None:
    message, tries = lock_refused([server_error("Neo.ClientError.Security.Forbidden")])

    assert "does not let user 'neo4j'" in message
    assert tries == 1


class LockTransaction:
    """Stands in for the lock's open transaction on a server that is not here: records what
    the connection asks of it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def run(self, statement: str, parameters: dict[str, Any]) -> LockTransaction:
        self.calls.append("run " + ",".join(parameters.get("bookmarks", [])))
        return self

    def consume(self) -> None:
        pass

    def commit(self) -> None:
        self.calls.append("commit")

    def rollback(self) -> None:
        self.calls.append("rollback")


class LockSession:
    def close(self) -> None:
        pass


@pytest.mark.parametrize("fails", [False, True])
def test_bookmarks_of_a_commit_under_the_lock_are_handed_over_even_if_the_block_fails(
    fails: bool,
) -> None:
    transaction = LockTransaction()
    hold = WriterLockHold(LockSession(), transaction, 0)  # type: ignore[arg-type]
    connection = ScriptedConnection([hold])
    lock = Neo4jWriterLock(connection)
    try:
        with pytest.raises(ValueError, match="after the commit") if fails else nullcontext(), lock:
            connection._note_own_bookmarks(Bookmarks.from_raw_values(["bm:1"]))
            if fails:
                raise ValueError("after the commit")
    finally:
        connection.close()

    assert transaction.calls == ["run bm:1", "commit"]


def test_a_hold_without_writes_is_rolled_back_keeping_the_previous_bookmarks() -> None:
    transaction = LockTransaction()
    hold = WriterLockHold(LockSession(), transaction, 0)  # type: ignore[arg-type]
    connection = ScriptedConnection([hold])
    try:
        with Neo4jWriterLock(connection):
            pass
    finally:
        connection.close()

    assert transaction.calls == ["rollback"]


class FenceTransaction:
    """A write transaction on a server whose writer fence holds `fence` (None: no fence)."""

    def __init__(self, fence: int | None) -> None:
        self.fence = fence
        self.statements: list[str] = []

    def run(self, statement: str, parameters: dict[str, Any]) -> FenceTransaction:
        self.statements.append(statement)
        return self

    def single(self) -> dict[str, int] | None:
        return None if self.fence is None else {"fence": self.fence}


def written(tx: Any) -> str:
    return "written"


def test_writes_of_the_thread_holding_the_lock_check_the_fence_first() -> None:
    connection = ScriptedConnection([WriterLockHold(LockSession(), LockTransaction(), 0)])  # type: ignore[arg-type]
    elsewhere: list[Any] = []
    try:
        before = connection.write_unit(written)
        with Neo4jWriterLock(connection):
            held = connection.write_unit(written)
            other = threading.Thread(
                target=lambda: elsewhere.append(connection.write_unit(written))
            )
            other.start()
            other.join()
        after = connection.write_unit(written)
    finally:
        connection.close()

    assert before is written, "no fence before the lock"
    assert after is written, "nor after it"
    assert elsewhere == [written], "another thread of the process does not hold the lock"
    same = FenceTransaction(fence=1)
    assert held(same) == "written"
    assert same.statements == [CYPHER.writer_fence_check]


@pytest.mark.parametrize("fence", [2, None])
def test_a_write_of_a_holder_another_process_overtook_fails_before_it_runs(
    fence: int | None,
) -> None:
    """The lock's transaction ended under this holder (a leader switch, a lock timeout) and
    another process advanced the fence: this write must not commit beside that one's."""
    connection = ScriptedConnection([WriterLockHold(LockSession(), LockTransaction(), 0)])  # type: ignore[arg-type]
    ran: list[str] = []
    try:
        with Neo4jWriterLock(connection):
            unit = connection.write_unit(lambda tx: ran.append("work"))
            with pytest.raises(StoreUnavailable) as refused:
                unit(FenceTransaction(fence))
    finally:
        connection.close()

    assert ran == []
    assert "another process took the writer lock while this one held it" in str(refused.value)
    assert "send the request again" in str(refused.value)


def test_each_hold_advances_the_fence_and_checks_its_own_value() -> None:
    holds = [WriterLockHold(LockSession(), LockTransaction(), 0) for _ in range(2)]  # type: ignore[arg-type]
    connection = ScriptedConnection(holds)
    try:
        with Neo4jWriterLock(connection):
            pass
        with Neo4jWriterLock(connection):
            second = connection.write_unit(written)
    finally:
        connection.close()

    assert connection.fences == 2
    assert second(FenceTransaction(fence=2)) == "written"
    with pytest.raises(StoreUnavailable):
        second(FenceTransaction(fence=1))


def test_a_fence_that_cannot_be_advanced_gives_the_lock_back_unused() -> None:
    transaction = LockTransaction()
    hold = WriterLockHold(LockSession(), transaction, 0)  # type: ignore[arg-type]
    connection = ScriptedConnection([hold], fence_error=StoreUnavailable("the leader went"))
    try:
        with pytest.raises(StoreUnavailable, match="the leader went"):
            connection.take_writer_lock()
        unfenced = connection.write_unit(written)
    finally:
        connection.close()

    assert transaction.calls == ["rollback"]
    assert unfenced is written


def test_the_bookmarks_handed_over_are_passed_on_with_this_process_own() -> None:
    """What the next holder waits for never goes back, even when this hold's own bookmarks
    are older than those the previous holder left."""
    transaction = LockTransaction()
    connection = ScriptedConnection([WriterLockHold(LockSession(), transaction, 0)])  # type: ignore[arg-type]
    try:
        connection._handed_over = Bookmarks.from_raw_values(["bm:2"])
        with Neo4jWriterLock(connection):
            connection._note_own_bookmarks(Bookmarks.from_raw_values(["bm:1"]))
    finally:
        connection.close()

    assert transaction.calls == ["run bm:1,bm:2", "commit"]


class RecordingLockTransaction:
    def run(
        self, statement: str, parameters: dict[str, Any] | None = None
    ) -> RecordingLockTransaction:
        return self

    def consume(self) -> None:
        pass

    def single(self) -> dict[str, Any]:
        return {"bookmarks": ["bm:left"]}


class RecordingDriver:
    """Answers the writer lock's session as a server would, recording the lock's timeout."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []

    def session(self, database: str) -> RecordingDriver:
        return self

    def begin_transaction(self, metadata: dict[str, str], timeout: float) -> Any:
        self.timeouts.append(timeout)
        return RecordingLockTransaction()

    def close(self) -> None:
        pass


def test_the_lock_transaction_is_bounded_by_the_lock_timeout() -> None:
    class ServerlessConnection(ScriptedConnection):
        _try_writer_lock = Neo4jConnection._try_writer_lock

    connection = ServerlessConnection([])
    connection._driver.close()
    driver = RecordingDriver()
    connection._driver = driver  # type: ignore[assignment]
    try:
        hold = connection.take_writer_lock()
    finally:
        connection.close()

    assert driver.timeouts == [TARGET.lock_timeout_seconds] == [3600.0]
    assert connection._handed_over.raw_values == frozenset({"bm:left"})
    assert hold.bookmark_updates == 0
