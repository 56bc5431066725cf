"""Bulk reads of what a store holds beside the derived graph — events, cannot-link
constraints, consent statements — on Neo4j: a mixin of `Neo4jStore`, used to carry a store's
contents to another (`migrate.py`). Each page is a keyset page read in its own transaction, an
ordered range seek on a constraint's index, so a long export holds no transaction open.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, LiteralString

from neo4j import Record

from datora_graph.domain.cannot_links import CannotLink
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Event
from datora_graph.store import neo4j_rows as rows
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER


class Neo4jExport:
    """The bulk-read part of `Neo4jStore`; see store/base.py for what each method promises."""

    _neo4j: Neo4jConnection

    def iter_events(self, batch_size: int = 1000) -> Iterator[list[Event]]:
        after = ""
        while True:
            found = self._page(CYPHER.events_page, {"after": after, "limit": batch_size})
            if not found:
                return
            yield [rows.event(record) for record in found]
            after = found[-1]["id"]

    def list_cannot_links(self) -> list[CannotLink]:
        found = self._neo4j.execute_read(lambda tx: list(tx.run(CYPHER.list_cannot_links)))
        return [
            CannotLink(int(r["id"]), r["a"], r["b"], r["reason"], _moment(r["created_at"]))
            for r in found
        ]

    def iter_consent_statements(self, batch_size: int = 1000) -> Iterator[list[ConsentStatement]]:
        cursor: dict[str, Any] = {
            "key": "",
            "purpose": "",
            "granted": None,
            "stated_at": "",
            "source": "",
        }
        while True:
            found = self._page(CYPHER.consent_statements_page, {**cursor, "limit": batch_size})
            if not found:
                return
            yield [_statement(record) for record in found]
            last = found[-1]
            cursor = {name: last[name] for name in cursor}

    def count_consent_statements(self) -> int:
        found = self._neo4j.execute_read(
            lambda tx: tx.run(CYPHER.count_consent_statements).single(strict=True)
        )
        return int(found["statements"])

    def _page(self, statement: LiteralString, params: dict[str, Any]) -> list[Record]:
        return self._neo4j.execute_read(lambda tx: list(tx.run(statement, params)))


def _statement(record: Record) -> ConsentStatement:
    return ConsentStatement(
        Identifier.from_key(record["key"]),
        record["purpose"],
        "granted" if record["granted"] else "withdrawn",
        _moment(record["stated_at"]),
        record["source"],
    )


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)
