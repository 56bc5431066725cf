"""Driver failures no local test can cause without a Neo4j server, raised on purpose: how the
connection reports them and when it tries again. The connection is real (its driver is made,
nothing is dialled); only the steps that would reach a server are replaced: taking the writer
lock, and the lock's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from neo4j import Bookmarks
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget, WriterLockHold
from datora_graph.store.neo4j_writer_lock import Neo4jWriterLock

TARGET = Neo4jTarget("bolt://127.0.0.1:7687", "neo4j", "secret", "neo4j", timeout_seconds=0.5)


def server_error(code: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message="said the server")


class ScriptedConnection(Neo4jConnection):
    """Each try to take the writer lock answers the next of `script`: an error to raise, or
    a value to return."""

    def __init__(self, script: list[Any]) -> None:
        self.script: Iterator[Any] = iter(script)
        self.tries = 0
        super().__init__(TARGET)

    def ping(self) -> None:
        """No server to check."""

    def _try_writer_lock(self, holder: str) -> Any:
        self.tries += 1
        step = next(self.script)
        if isinstance(step, BaseException):
            raise step
        return step


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("datora_graph.store.neo4j_connection.LOCK_WAIT_PAUSE_SECONDS", 0.001)


@pytest.mark.parametrize(
    "code",
    [
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    ],
)
def test_a_transaction_the_server_timed_out_names_the_setting(code: str) -> None:
    connection = ScriptedConnection([])
    try:
        with pytest.raises(StoreUnavailable) as reported, connection._errors():
            raise server_error(code)
    finally:
        connection.close()

    assert "did not finish a transaction within 0.5 s" in str(reported.value)
    assert "DATORA_NEO4J_TIMEOUT_SECONDS" in str(reported.value)


def test_taking_the_writer_lock_tries_again_after_a_leader_switch_or_a_deadlock() -> None:
    hold = object()
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
