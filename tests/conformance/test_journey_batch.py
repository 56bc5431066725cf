"""`journeys`: the same journey page of many profiles in one call, equal to asking one by one.

GraphQL asks for the journeys of a whole page of profiles at once (a DataLoader batches them),
so the batched answer must be exactly what `journey` gives for each profile alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import JourneyPage, JourneyQuery, encode_cursor
from datora_graph.domain.records import Event
from datora_graph.store.base import GraphStore

from .builders import at, event, merger, seed

ANN = ("cookie_id:c-1", "email:ann.lee@acme.io")
BOB = ("email:bob@acme.io", "phone:+14155550101")
CY = ("email:cy@acme.io",)
PROFILES = ("prf_ann", "prf_bob", "prf_cy")


def _ids(events: Sequence[Event]) -> list[str]:
    return [e.id for e in events]


def _three_people(store: GraphStore) -> None:
    """Ann and Bob with interleaved events (one seen on both), Cy with none."""
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_bob", BOB, seq=2)
    seed(store, "prf_cy", CY, seq=3)
    events = [
        event(
            f"ev-{n:02d}", [(ANN + BOB)[n % 4]], at(n // 2), type_=("page_view", "purchase")[n % 2]
        )
        for n in range(17)
    ]
    shared = event("ev-shared", [ANN[1], BOB[0]], at(3.5), type_="email_open", source="esp")
    store.commit(Changeset(events=[*events, shared]))


QUERIES = [
    JourneyQuery(),
    JourneyQuery(first=1),
    JourneyQuery(first=3),
    JourneyQuery(first=4, types=frozenset({"purchase", "email_open"})),
    JourneyQuery(since=at(2), until=at(6)),
    JourneyQuery(first=2, types=frozenset({"page_view"}), since=at(1)),
    JourneyQuery(first=3, newest_first=True),
    JourneyQuery(first=2, types=frozenset({"page_view"}), since=at(1), newest_first=True),
]


def _query_id(query: JourneyQuery) -> str:
    """Sorted types: a frozenset's order differs between processes, and pytest-xdist needs
    each worker to collect the same test IDs."""
    types = "+".join(sorted(query.types)) or "all"
    order = "newest" if query.newest_first else "oldest"
    return f"first={query.first}-types={types}-since={query.since}-until={query.until}-{order}"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: _query_id(q))
def test_each_page_equals_the_journey_asked_alone(store: GraphStore, query: JourneyQuery) -> None:
    _three_people(store)

    pages = store.journeys(PROFILES, query)

    assert set(pages) == set(PROFILES)
    for profile_id in PROFILES:
        assert pages[profile_id] == store.journey(profile_id, query), profile_id


def test_the_batch_answers_with_real_events(store: GraphStore) -> None:
    """Guards the test above against two equally empty answers."""
    _three_people(store)

    pages = store.journeys(PROFILES, JourneyQuery(first=3))

    assert _ids(pages["prf_ann"].events) == ["ev-00", "ev-01", "ev-04"]
    assert _ids(pages["prf_bob"].events) == ["ev-02", "ev-03", "ev-06"]
    assert pages["prf_ann"].has_next_page
    assert pages["prf_bob"].has_next_page
    assert pages["prf_cy"] == JourneyPage([], None, False)


def test_an_event_of_two_profiles_is_in_both_journeys(store: GraphStore) -> None:
    _three_people(store)

    pages = store.journeys(["prf_ann", "prf_bob"], JourneyQuery(types=frozenset({"email_open"})))

    assert _ids(pages["prf_ann"].events) == ["ev-shared"]
    assert _ids(pages["prf_bob"].events) == ["ev-shared"]


def test_the_end_cursor_of_a_batched_page_continues_that_journey(store: GraphStore) -> None:
    _three_people(store)
    whole = store.journey("prf_bob", JourneyQuery(first=1000))

    first = store.journeys(PROFILES, JourneyQuery(first=2))["prf_bob"]
    assert first.end_cursor is not None
    rest = store.journey("prf_bob", JourneyQuery(first=1000, after=first.end_cursor))

    assert _ids(first.events) + _ids(rest.events) == _ids(whole.events)


def test_a_batched_newest_first_cursor_continues_newest_first(store: GraphStore) -> None:
    _three_people(store)
    whole = store.journey("prf_bob", JourneyQuery(first=1000))

    first = store.journeys(PROFILES, JourneyQuery(first=2, newest_first=True))["prf_bob"]
    assert first.end_cursor is not None
    rest = store.journey(
        "prf_bob", JourneyQuery(first=1000, after=first.end_cursor, newest_first=True)
    )

    assert _ids(first.events) + _ids(rest.events) == _ids(whole.events)[::-1]


def test_a_cursor_applies_to_every_profile_of_the_batch(store: GraphStore) -> None:
    _three_people(store)
    after = store.journey("prf_ann", JourneyQuery(first=2)).end_cursor
    query = JourneyQuery(first=50, after=after)

    pages = store.journeys(["prf_ann", "prf_bob"], query)

    assert pages["prf_ann"] == store.journey("prf_ann", query)
    assert pages["prf_bob"] == store.journey("prf_bob", query)


def test_unknown_ids_get_empty_pages_and_no_ids_no_pages(store: GraphStore) -> None:
    _three_people(store)

    pages = store.journeys(["prf_nobody", "prf_ann", "prf_ann"], JourneyQuery(first=1))

    assert set(pages) == {"prf_nobody", "prf_ann"}
    assert pages["prf_nobody"] == JourneyPage([], None, False)
    assert _ids(pages["prf_ann"].events) == ["ev-00"]
    assert store.journeys([], JourneyQuery()) == {}


def test_after_a_merge_the_survivor_has_both_journeys(store: GraphStore) -> None:
    ann = seed(store, "prf_ann", ANN, seq=1)
    app = seed(store, "prf_app", ["device_id:d-1"], seq=2, source="app")
    events = [
        event("ev-a", ["cookie_id:c-1"], at(10)),
        event("ev-b", ["device_id:d-1"], at(11), type_="app_open"),
    ]
    store.commit(Changeset(events=events))
    changeset, _ = merger(ann.state, app.state, seq=3, link=("cookie_id:c-1", "device_id:d-1"))

    store.commit(changeset)
    pages = store.journeys(["prf_ann", "prf_app"], JourneyQuery())

    assert list(pages["prf_ann"].events) == events
    assert list(pages["prf_app"].events) == []


def test_a_cursor_the_store_did_not_issue_is_refused_naming_after(store: GraphStore) -> None:
    _three_people(store)

    with pytest.raises(InvalidInput) as refused:
        store.journeys(PROFILES, JourneyQuery(after=encode_cursor("ev-1")))

    assert refused.value.field == "after"
