"""Driver failures no local test can cause without a Neo4j server, raised on purpose: how the
connection reports them and when it tries again. The connection is real (its driver is made,
nothing is dialled); only the one step that would reach a server is replaced."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget

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
