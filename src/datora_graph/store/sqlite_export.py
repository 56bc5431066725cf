"""Bulk reads of what a store holds beside the derived graph — events, cannot-link
constraints, consent statements — on the embedded store: a mixin of `SqliteStore`, used to
carry a store's contents to another (`migrate.py`). Pages are keyset pages, each its own read
transaction, so a long export never holds one open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime

from datora_graph.domain.cannot_links import CannotLink
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Event

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
            yield [_event(row) for row in found]
            after = found[-1][0]

    def list_cannot_links(self) -> list[CannotLink]:
        with self._read() as db:
            found = db.execute(LIST_CANNOT_LINKS).fetchall()
        return [
            CannotLink(int(i), a, b, reason, datetime.fromisoformat(at))
            for i, a, b, reason, at in found
        ]

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


def _event(row: tuple[str, str, str, str, str, str]) -> Event:
    return Event(
        id=row[0],
        type=row[1],
        occurred_at=datetime.fromisoformat(row[2]),
        source=row[3],
        identifiers=tuple(Identifier(t, v) for t, v in json.loads(row[4])),
        properties=json.loads(row[5]),
    )
