"""A rebuild on Neo4j forgets the rejections a replay of the log made by an index seek, not by a
scan of every rejection per batch: with millions of rejections kept at ingest, each batch of the
reset read them all again. Replay rejections are marked as they are written, and those a release
before the mark wrote are marked once when the store starts. No server runs here: statements and
their parameters are checked, and the transactions are recorded."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from datora_graph.domain.records import REPLAY_REJECTION_PREFIX, Rejection
from datora_graph.store import neo4j_rows as rows
from datora_graph.store.neo4j import DELETES_PER_TRANSACTION, REPLAY_MARKED, Neo4jStore
from datora_graph.store.neo4j_cypher import CYPHER

AT = datetime(2026, 5, 1, tzinfo=UTC)
REPLAYED = f"{REPLAY_REJECTION_PREFIX}current settings: email: not an e-mail address"


def _code(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("//"))


def _rejection(kind: str, reason: str) -> Rejection:
    return Rejection(kind, "o1", "identifiers", reason, '{"id": "o1"}', AT)  # type: ignore[arg-type]


def test_the_rejections_a_replay_made_are_marked_as_they_are_written() -> None:
    written = rows.rejection_rows(
        [
            _rejection("observation", REPLAYED),
            _rejection("observation", "email: not an e-mail address"),
            _rejection("event", REPLAYED),
        ],
        1,
    )

    assert [row["replay"] for row in written] == [True, None, None]
    assert "r.replay = row.replay" in _code(CYPHER.insert_rejections)


def test_the_reset_finds_them_by_an_index_on_the_mark_not_by_their_reason() -> None:
    index = _code(CYPHER.schema_rejection_replay)
    forget = _code(CYPHER.delete_replay_rejections_batch)

    assert re.search(
        r"CREATE INDEX \w+ IF NOT EXISTS\s+FOR \(r:Rejection\) ON \(r\.replay\)", index
    )
    assert "MATCH (r:Rejection {replay: true})" in forget
    assert "reason" not in forget
    assert set(re.findall(r"\$([a-z_]+)", forget)) == {"batch_size"}


class Server:
    """Rejections a release before the mark kept, in pages of log order, and the meta values."""

    def __init__(self, pages: list[int], meta: dict[str, str]) -> None:
        self.pages = pages
        self.meta = meta
        self.marked: list[dict[str, Any]] = []

    def run(self, statement: str, parameters: dict[str, Any]) -> Server:
        self.answer: dict[str, Any] | None = None
        if statement == CYPHER.meta_get:
            value = self.meta.get(parameters["key"])
            self.answer = None if value is None else {"value": value}
        elif statement == CYPHER.meta_set:
            self.meta[parameters["key"]] = parameters["value"]
        elif statement == CYPHER.mark_replay_rejections:
            self.marked.append(parameters)
            self.answer = {"last": self.pages.pop(0) if self.pages else None}
        return self

    def single(self) -> dict[str, Any] | None:
        return self.answer

    def consume(self) -> None:
        return None


class Connection:
    def __init__(self, server: Server) -> None:
        self.server = server

    def execute_read(self, work: Callable[[Any], Any]) -> Any:
        return work(self.server)

    def execute_write(self, work: Callable[[Any], Any], timeout: float | None = None) -> Any:
        return work(self.server)


def _start(server: Server) -> None:
    store = object.__new__(Neo4jStore)
    store._neo4j = Connection(server)  # type: ignore[assignment]
    store._mark_replay_rejections()


def test_a_store_written_before_the_mark_is_marked_page_by_page_once() -> None:
    server = Server([10_000, 20_000, 20_345], {})

    _start(server)

    assert [p["after"] for p in server.marked] == [-1, 10_000, 20_000, 20_345]
    assert {p["prefix"] for p in server.marked} == {REPLAY_REJECTION_PREFIX}
    assert {p["batch_size"] for p in server.marked} == {DELETES_PER_TRANSACTION}
    assert REPLAY_MARKED in server.meta
    page = _code(CYPHER.mark_replay_rejections)
    assert "WHERE r.seq > $after" in page, "pages follow the index of seq"
    assert "ORDER BY r.seq" in page

    server.marked.clear()
    _start(server)

    assert server.marked == [], "marked once per database"
