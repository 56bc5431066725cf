"""Revenue sums on the embedded store past 64 bits of cents: SQLite's integer sum() raises
'integer overflow' there, which had ended every report of that day; the sums are carried in
floating point instead (exact to 2^53 cents, about 90 trillion)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from datora_graph.config import Settings
from datora_graph.domain.changeset import Changeset
from datora_graph.domain.records import MAX_REVENUE, Event
from datora_graph.services import IdentityService, parse_items
from datora_graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow

EVENTS = 93_000
"""Past 2^63 cents at the largest revenue an event may carry."""


def purchases(identity: IdentityService) -> Iterator[list[Event]]:
    """The whale's purchases, in batches of 31,000, written as the store receives them: one is
    parsed as ingest parses it, the others are copies under their own IDs (parsing 93,000 took
    a third of the test's time, and the sums are the store's)."""
    [purchase] = parse_items(
        [
            {
                "id": "e0",
                "type": "purchase",
                "occurred_at": "2026-05-01T11:00:00Z",
                "source": "shop",
                "identifiers": [{"type": "email", "value": "whale@acme.io"}],
                "properties": {"revenue": MAX_REVENUE},
            }
        ],
        "event",
        identity.registry,
    ).records
    for start in range(0, EVENTS, 31_000):
        yield [replace(purchase[1], id=f"e{n}") for n in range(start, start + 31_000)]


def test_a_day_and_a_profile_past_64_bits_of_cents_are_still_reported(tmp_path: Path) -> None:
    assert EVENTS * MAX_REVENUE * 100 > 2**63
    store = SqliteStore(tmp_path / "sums.db")
    try:
        identity = IdentityService(store, Settings(db=tmp_path / "sums.db"))
        identity.ingest_observations(
            [
                {
                    "id": "o1",
                    "source": "crm",
                    "observed_at": "2026-05-01T10:00:00Z",
                    "identifiers": [{"type": "email", "value": "whale@acme.io"}],
                }
            ]
        )
        for batch in purchases(identity):
            store.commit(Changeset(events=batch))

        [day] = store.events_per_day(
            datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC)
        )
        profile = identity.lookup("email:whale@acme.io")
        activity = store.trait_facts([profile.id])[profile.id].activity
    finally:
        store.close()

    assert (day.events, day.revenue) == (EVENTS, float(EVENTS * MAX_REVENUE))
    assert activity.revenue_cents == EVENTS * MAX_REVENUE * 100
