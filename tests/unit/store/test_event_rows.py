"""Events read from SQLite rows: what was written comes back, identifiers decoded once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from datora_graph.domain.identifiers import Identifier
from datora_graph.store.sqlite_export import events_of


def row(event_id: str, identifiers: list[list[str]], properties: object) -> tuple[str, ...]:
    return (
        event_id,
        "purchase",
        "2026-05-01T09:00:00+00:00",
        "shop",
        json.dumps(identifiers),
        json.dumps(properties),
    )


def test_events_come_back_as_written() -> None:
    [event] = events_of([row("e1", [["email", "ann@example.org"]], {"total": 12.5})])

    assert event.id == "e1"
    assert event.type == "purchase"
    assert event.occurred_at == datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert event.source == "shop"
    assert event.identifiers == (Identifier("email", "ann@example.org"),)
    assert event.properties == {"total": 12.5}


def test_events_with_the_same_identifiers_share_them() -> None:
    same = [["email", "ann@example.org"], ["cookie_id", "c1"]]
    first, second, other = events_of(
        [row("e1", same, {}), row("e2", same, {}), row("e3", [["cookie_id", "c2"]], {})]
    )

    assert first.identifiers is second.identifiers
    assert other.identifiers == (Identifier("cookie_id", "c2"),)


def test_a_large_order_number_in_properties_stays_exact() -> None:
    [event] = events_of([row("e1", [], {"order": 12345678901234567890123})])

    assert event.properties == {"order": 12345678901234567890123}
