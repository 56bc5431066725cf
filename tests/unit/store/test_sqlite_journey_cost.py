"""A journey page on the embedded store costs about a page per identifier, however long the
journey: its statements search each identifier's range of the event index (never scan it,
never sort the whole journey), and a page of a journey of 4,000 events takes about the SQLite
instructions a page of one of 40 does, wherever it starts. Answers are checked elsewhere
(test_sqlite_journey, tests/conformance)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.moments import iso
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite import SqliteStore, _journey_params

from .test_sqlite_journey import _profile_of

T0 = datetime(2026, 3, 1, tzinfo=UTC)
LONG = ("email:ann@acme.io", "cookie_id:c-1", "device_id:d-1", "phone:+14155550101")
SHORT = ("email:bob@acme.io", "cookie_id:c-2", "device_id:d-2", "phone:+14155550102")
STATEMENTS = {
    (False, False): sql.JOURNEY_PAGE,
    (False, True): sql.JOURNEY_PAGE_NEWEST_FIRST,
    (True, False): sql.JOURNEY_PAGES,
    (True, True): sql.JOURNEY_PAGES_NEWEST_FIRST,
}
"""The statements by (batched, newest first)."""
INDEX_RANGE = "(occurred_at,event_id)>(?,?) AND (occurred_at,event_id)<(?,?)"
ORDERS = pytest.mark.parametrize("newest_first", [False, True], ids=["oldest", "newest"])
BATCHED = pytest.mark.parametrize("batched", [False, True], ids=["one", "batch"])


@pytest.fixture(scope="module")
def journeys(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[sqlite3.Connection, str, str]]:
    """A store file with two profiles of four identifiers, with 4,000 and 40 events interleaved
    over them (every fifth on two), opened read-only; the long and the short one's IDs."""
    path = tmp_path_factory.mktemp("journey-cost") / "journey.db"
    store = SqliteStore(path)
    try:
        long = _profile_of(store, LONG, "o-ann")
        short = _profile_of(store, SHORT, "o-bob")
        store.commit(Changeset(events=_events(LONG, 4000) + _events(SHORT, 40)))
    finally:
        store.close()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield db, long, short
    db.close()


def _events(keys: tuple[str, ...], count: int) -> list[Event]:
    return [
        Event(
            f"ev-{keys[0]}-{n:05d}",
            ("page_view", "purchase")[n % 2],
            T0 + timedelta(seconds=n // 3),
            "web",
            tuple(Identifier.from_key(keys[(n + k) % 4]) for k in range(1 + (n % 5 == 0))),
            {},
        )
        for n in range(count)
    ]


def _params(profile_id: str, query: JourneyQuery) -> dict[str, object]:
    batch = json.dumps([profile_id, "prf_none"])
    return {"profile_id": profile_id, "profile_ids": batch, **_journey_params(query)}


@ORDERS
@BATCHED
def test_every_journey_statement_searches_each_identifiers_index_range(
    journeys: tuple[sqlite3.Connection, str, str], newest_first: bool, batched: bool
) -> None:
    db, profile_id, _ = journeys
    statement = STATEMENTS[batched, newest_first]

    plan = [
        row[3]
        for row in db.execute(
            "EXPLAIN QUERY PLAN " + statement, _params(profile_id, JourneyQuery())
        )
    ]

    event_index = [step for step in plan if f"{step} ".split(" ")[1] in {"x", "ei"}]
    assert event_index, plan
    assert all(step.startswith("SEARCH") for step in event_index), plan
    assert any(INDEX_RANGE in step for step in event_index), plan


def _instructions(db: sqlite3.Connection, statement: str, params: dict[str, object]) -> int:
    """The SQLite VM instructions a statement runs, counted by a progress handler."""
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    db.set_progress_handler(tick, 1)
    try:
        db.execute(statement, params).fetchall()
    finally:
        db.set_progress_handler(None, 1)
    return count


@ORDERS
@BATCHED
def test_a_page_of_a_long_journey_costs_what_a_page_of_a_short_one_does(
    journeys: tuple[sqlite3.Connection, str, str], newest_first: bool, batched: bool
) -> None:
    db, long, short = journeys
    statement = STATEMENTS[batched, newest_first]
    first = JourneyQuery(first=10, newest_first=newest_first)
    middle = T0 + timedelta(seconds=666)
    pages = [
        first,
        JourneyQuery(
            first=10,
            after=first.cursor(iso(middle), f"ev-{LONG[0]}-01998"),
            newest_first=newest_first,
        ),
        JourneyQuery(first=10, since=middle, newest_first=newest_first),
        JourneyQuery(first=10, until=middle, newest_first=newest_first),
        JourneyQuery(first=10, types=frozenset({"purchase"}), newest_first=newest_first),
    ]

    baseline = _instructions(db, statement, _params(short, first))

    for query in pages:
        assert len(db.execute(statement, _params(long, query)).fetchall()) == 11, query
        # A type that half the events have reads twice the entries for a page: hence 3x. The
        # statements that sorted the whole journey took 28x and more here.
        assert _instructions(db, statement, _params(long, query)) < 3 * baseline, query
