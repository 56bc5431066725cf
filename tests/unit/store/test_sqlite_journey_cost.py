"""A journey page on the embedded store costs about a page per identifier, however long the
journey: its statements search each identifier's range of the event index (never scan it,
never sort the whole journey), and a page of a journey of 4,000 events takes about the SQLite
instructions a page of one of 40 does, wherever it starts, and of whatever type, however rare
(each identifier's range of each type is searched in the typed index). Answers are checked
elsewhere (test_sqlite_journey, tests/conformance)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.moments import iso
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_reads import journey_params

from .test_sqlite_journey import _profile_of

T0 = datetime(2026, 3, 1, tzinfo=UTC)
LONG = ("email:ann@acme.io", "cookie_id:c-1", "device_id:d-1", "phone:+14155550101")
SHORT = ("email:bob@acme.io", "cookie_id:c-2", "device_id:d-2", "phone:+14155550102")
INDEX_RANGE = "(occurred_at,event_id)>(?,?) AND (occurred_at,event_id)<(?,?)"
TYPED_INDEX = "event_identifiers_by_type (identifier_key=? AND event_type=? AND "
ORDERS = pytest.mark.parametrize("newest_first", [False, True], ids=["oldest", "newest"])
BATCHED = pytest.mark.parametrize("batched", [False, True], ids=["one", "batch"])
TYPED = pytest.mark.parametrize("typed", [False, True], ids=["every-type", "typed"])


@pytest.fixture(scope="module")
def journeys(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[sqlite3.Connection, str, str]]:
    """A store file with two profiles of four identifiers, with 4,000 and 40 events interleaved
    over them (every fifth on two; half purchases, one in a hundred a support call), opened
    read-only; the long and the short one's IDs."""
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
            "support_call" if n % 100 == 99 else ("page_view", "purchase")[n % 2],
            T0 + timedelta(seconds=n // 3),
            "web",
            tuple(Identifier.from_key(keys[(n + k) % 4]) for k in range(1 + (n % 5 == 0))),
            {},
        )
        for n in range(count)
    ]


def _params(profile_id: str, query: JourneyQuery) -> dict[str, object]:
    batch = json.dumps([profile_id, "prf_none"])
    return {"profile_id": profile_id, "profile_ids": batch, **journey_params(query)}


def _statement(batched: bool, query: JourneyQuery) -> str:
    return sql.JOURNEY_STATEMENTS[batched, query.newest_first, bool(query.types)]


def _plan(db: sqlite3.Connection, statement: str, params: dict[str, object]) -> list[str]:
    return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + statement, params)]


@ORDERS
@BATCHED
@TYPED
def test_every_journey_statement_searches_each_identifiers_index_range(
    journeys: tuple[sqlite3.Connection, str, str], newest_first: bool, batched: bool, typed: bool
) -> None:
    db, profile_id, _ = journeys
    types = frozenset({"support_call", "purchase"} if typed else ())
    query = JourneyQuery(types=types, newest_first=newest_first)

    plan = _plan(db, _statement(batched, query), _params(profile_id, query))

    event_index = [step for step in plan if f"{step} ".split(" ")[1] in {"x", "ei"}]
    assert event_index, plan
    assert all(step.startswith("SEARCH") for step in event_index), plan
    [page] = [step for step in event_index if INDEX_RANGE in step]
    if typed:
        assert f"{TYPED_INDEX}{INDEX_RANGE})" in page, plan
    else:
        assert page.startswith("SEARCH x USING PRIMARY KEY (identifier_key=? AND "), plan


def test_a_store_file_without_the_typed_index_gets_it_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    SqliteStore(path).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("DROP INDEX event_identifiers_by_type")

    SqliteStore(path).close()

    query = JourneyQuery(types=frozenset({"purchase"}))
    with closing(sqlite3.connect(path)) as db:
        plan = _plan(db, _statement(False, query), _params("prf_1", query))
    assert any(TYPED_INDEX in step for step in plan), plan


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
        JourneyQuery(first=10, types=frozenset({"support_call"}), newest_first=newest_first),
        JourneyQuery(
            first=10, types=frozenset({"support_call", "purchase"}), newest_first=newest_first
        ),
    ]

    baseline = _instructions(db, _statement(batched, first), _params(short, first))

    for query in pages:
        statement = _statement(batched, query)
        assert len(db.execute(statement, _params(long, query)).fetchall()) == 11, query
        # Two types read up to a page of each (0.4-1.5x here). The statements that sorted the whole
        # journey took 28x and more; filtering each identifier's range by type, not searching
        # it, took 19-40x for the support calls, one event in a hundred.
        assert _instructions(db, statement, _params(long, query)) < 2 * baseline, query
