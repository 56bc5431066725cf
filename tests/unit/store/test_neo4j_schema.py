"""Every index and constraint is made when the Neo4j store starts, none on first use: a schema
command after the writer fence's check (a data write) in one transaction is refused by the
server, so one left to the first steward call under the writer lock failed every rebuild,
erasure and CLI decision. No server runs here: the connection's transactions are replaced by
one that records what it is asked to run, the only way to see which statements run where."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datora_graph.store.neo4j import SCHEMA_VERSION, Neo4jStore
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_steward import STEWARD

TARGET = Neo4jTarget("bolt://127.0.0.1:7687", "neo4j", "secret", "neo4j", timeout_seconds=0.5)


class Answer:
    """What a statement answers: no rows, and the schema version to the version check."""

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def single(self) -> dict[str, Any]:
        return {"value": SCHEMA_VERSION}

    def consume(self) -> None:
        return None


class RecordingConnection(Neo4jConnection):
    def __init__(self) -> None:
        self.statements: list[str] = []
        super().__init__(TARGET)

    def ping(self) -> None:
        """No server to check."""

    def run(self, statement: str, parameters: Any = None, **_: Any) -> Answer:
        self.statements.append(statement)
        return Answer()

    def execute_read(self, work: Any) -> Any:
        return work(self)

    def execute_write(self, work: Any, timeout: float | None = None) -> Any:
        return work(self)

    def guarded_read(self, work: Any) -> Any:
        return work(self)


def schema_commands(statements: list[str]) -> list[str]:
    return [s for s in statements if "CREATE INDEX" in s or "CREATE CONSTRAINT" in s]


def test_the_store_makes_every_index_at_start_and_none_on_first_use() -> None:
    connection = RecordingConnection()
    store = Neo4jStore.__new__(Neo4jStore)
    store._neo4j = connection
    try:
        store._prepare()
        made = schema_commands(connection.statements)
        connection.statements.clear()
        store.list_decisions(0, 10)
        store.get_decisions(["dec_1"])
        store.profile_slice(["prf_1"])
    finally:
        connection.close()

    assert set(made) == {*CYPHER.schema(), *STEWARD.schema()}
    assert STEWARD.schema(), "the steward's own indexes are among them"
    assert connection.statements, "the steward reads ran"
    assert schema_commands(connection.statements) == []
