"""Bulk writes on Neo4j fit their transactions: a rebuild's reset deletes in bounded batches, the
relationships first (deleting a node takes all its relationships into the same transaction, and
an identifier shared by a kiosk can hold a million evidence links), and a page of the log index
is bounded by the lock timeout, as a batch's commit is. The server is not here; the
transactions are recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from datora_graph.store.neo4j import DELETES_PER_TRANSACTION, Neo4jStore
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget
from datora_graph.store.neo4j_cypher import CYPHER


class Deletions:
    """A server holding `links` derived relationships and `nodes` derived nodes."""

    def __init__(self, links: int, nodes: int) -> None:
        self.left = {CYPHER.delete_derived_links_batch: links, CYPHER.delete_derived_batch: nodes}
        self.transactions: list[tuple[str, int]] = []

    def run(self, statement: str, parameters: dict[str, Any]) -> Deletions:
        self.statement, self.parameters = statement, parameters
        return self

    def single(self) -> dict[str, int]:
        if self.statement not in self.left:
            return {"deleted": 0}
        if self.statement == CYPHER.delete_derived_batch:
            links = self.left[CYPHER.delete_derived_links_batch]
            assert links == 0, "a node was deleted with relationships left"
        batch = self.parameters["batch_size"]
        deleted = min(batch, self.left[self.statement])
        self.left[self.statement] -= deleted
        self.transactions.append((self.statement, deleted))
        return {"deleted": deleted}

    def consume(self) -> None:
        pass


class RecordingConnection:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.target = Neo4jTarget("bolt://db:7687", "neo4j", "x", "neo4j", lock_timeout_seconds=900)
        self.timeouts: list[float | None] = []

    @contextmanager
    def writing(self) -> Iterator[None]:
        yield

    def execute_write(self, work: Callable[[Any], Any], timeout: float | None = None) -> Any:
        self.timeouts.append(timeout)
        return work(self.server)

    execute_bulk_write = Neo4jConnection.execute_bulk_write  # the real one, over the above


def test_the_reset_deletes_relationships_then_nodes_a_batch_per_transaction() -> None:
    server = Deletions(links=2 * DELETES_PER_TRANSACTION + 5, nodes=DELETES_PER_TRANSACTION + 1)
    store = object.__new__(Neo4jStore)
    store._neo4j = RecordingConnection(server)  # type: ignore[assignment]

    store.reset_derived()

    links, nodes = CYPHER.delete_derived_links_batch, CYPHER.delete_derived_batch
    assert server.transactions == [
        (links, DELETES_PER_TRANSACTION),
        (links, DELETES_PER_TRANSACTION),
        (links, 5),
        (links, 0),  # nothing left: on to the nodes
        (nodes, DELETES_PER_TRANSACTION),
        (nodes, 1),
        (nodes, 0),
    ]
    assert server.left == {links: 0, nodes: 0}


class Statements:
    def __init__(self) -> None:
        self.run_statements: list[str] = []

    def run(self, statement: str, parameters: dict[str, Any]) -> Statements:
        self.run_statements.append(statement)
        return self

    def consume(self) -> None:
        pass

    def single(self) -> dict[str, Any]:
        """The log index's claimed position: nothing indexed yet."""
        return {"value": 0}


def test_a_page_of_the_log_index_is_bounded_by_the_lock_timeout() -> None:
    connection = RecordingConnection(Statements())
    store = object.__new__(Neo4jStore)
    store._neo4j = connection  # type: ignore[assignment]

    store.index_log([("email:ann@acme.io", 1), ("cookie_id:c-1", 1)], 0, 1)

    assert connection.timeouts == [900]
    assert connection.server.run_statements == [
        CYPHER.log_index_claim,
        CYPHER.index_log,
        CYPHER.meta_set,
    ]
