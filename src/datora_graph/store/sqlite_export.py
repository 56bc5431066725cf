"""Bulk reads of what a store holds beside the derived graph — events, cannot-link
constraints, consent statements — on the embedded store: a mixin of `SqliteStore`, used to
carry a store's contents to another (`migrate.py`). Pages are keyset pages, each its own read
transaction, so a long export never holds one open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from datora_graph.domain.cannot_links import CannotLink
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Event
from datora_graph.json_codec import loads

EVENTS_PAGE = """
SELECT id, type, occurred_at, source, identifiers, properties FROM events
WHERE id > :after ORDER BY id LIMIT :limit
"""
LIST_CANNOT_LINKS = "SELECT id, a, b, reason, created_at FROM cannot_link ORDER BY id"
CONSENT_STATEMENTS_PAGE = """
SELECT identifier_key, purpose, stated_at, granted, source FROM consent_statements
WHERE (identifier_key, purpose, stated_at, granted, source)
    > (:key, :purpose, :stated_at, :granted, :source)
ORDER BY identifier_key, purpose, stated_at, granted, source
LIMIT :limit
"""
"""The order of the table's unique key, so each page is a range of its index."""
COUNT_CONSENT_STATEMENTS = "SELECT COUNT(*) FROM consent_statements"


class SqliteExport:
    """The bulk-read part of `SqliteStore`; see store/base.py for what each method promises."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def iter_events(self, batch_size: int = 1000) -> Iterator[list[Event]]:
        after = ""
        while True:
            with self._read() as db:
                found = db.execute(EVENTS_PAGE, {"after": after, "limit": batch_size}).fetchall()
            if not found:
                return
            yield events_of(found)
            after = found[-1][0]

    def list_cannot_links(self) -> list[CannotLink]:
        with self._read() as db:
            found = db.execute(LIST_CANNOT_LINKS).fetchall()
        return [
            CannotLink(int(i), a, b, reason, datetime.fromisoformat(at))
            for i, a, b, reason, at in found
        ]

    def count_consent_statements(self) -> int:
        with self._read() as db:
            return int(db.execute(COUNT_CONSENT_STATEMENTS).fetchone()[0])

    def iter_consent_statements(self, batch_size: int = 1000) -> Iterator[list[ConsentStatement]]:
        cursor: dict[str, object] = {
            "key": "",
            "purpose": "",
            "stated_at": "",
            "granted": -1,
            "source": "",
        }
        while True:
            with self._read() as db:
                found = db.execute(
                    CONSENT_STATEMENTS_PAGE, {**cursor, "limit": batch_size}
                ).fetchall()
            if not found:
                return
            yield [
                ConsentStatement(
                    Identifier.from_key(key),
                    purpose,
                    "granted" if granted else "withdrawn",
                    datetime.fromisoformat(stated_at),
                    source,
                )
                for key, purpose, stated_at, granted, source in found
            ]
            key, purpose, stated_at, granted, source = found[-1]
            cursor = {
                "key": key,
                "purpose": purpose,
                "stated_at": stated_at,
                "granted": granted,
                "source": source,
            }


def events_of(rows: Iterable[Sequence[Any]]) -> list[Event]:
    """Events from rows of `(id, type, occurred_at, source, identifiers, properties)`.

    A person's events mostly carry the same identifiers, written as the same JSON text: each
    text is read once per call, and its events share one tuple of identifiers."""
    known: dict[str, tuple[Identifier, ...]] = {}
    events = []
    for event_id, type_, occurred_at, source, identifiers_json, properties in rows:
        identifiers = known.get(identifiers_json)
        if identifiers is None:
            identifiers = known[identifiers_json] = tuple(
                [Identifier(t, v) for t, v in loads(identifiers_json)]
            )
        events.append(
            Event(
                event_id,
                type_,
                datetime.fromisoformat(occurred_at),
                source,
                identifiers,
                loads(properties),
            )
        )
    return events
