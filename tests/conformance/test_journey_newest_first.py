"""Journeys newest first: the same events as oldest first, in exactly the reverse order (ties
too), so the latest events are one page; cursors page on only in the order that issued them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import JourneyQuery, encode_cursor
from datora_graph.store.base import GraphStore

from .builders import at, event, seed
from .test_journey import ANN, _all_pages, _ann_and_bob, _ids, _many_events

NEWEST = JourneyQuery(first=1000, newest_first=True)


def test_newest_first_is_every_event_in_the_reverse_order(store: GraphStore) -> None:
    events = _ann_and_bob(store)

    page = store.journey("prf_ann", JourneyQuery(newest_first=True))

    assert list(page.events) == events[2::-1]
    assert page.has_next_page is False
    assert list(store.journey("prf_bob", JourneyQuery(newest_first=True)).events) == [events[3]]


def test_ties_in_time_are_broken_by_event_id_descending(store: GraphStore) -> None:
    """The exact reverse of oldest first, whose ties go by event ID ascending."""
    seed(store, "prf_ann", ANN, seq=1)
    tied = [event(f"ev-{name}", [ANN[n % 2]], at(10)) for n, name in enumerate("cabd")]
    store.commit(Changeset(events=[*tied, event("ev-z", [ANN[0]], at(9))]))

    assert _ids(store.journey("prf_ann", NEWEST).events) == ["ev-d", "ev-c", "ev-b", "ev-a", "ev-z"]
    assert _all_pages(store, "prf_ann", JourneyQuery(first=1, newest_first=True)) == [
        "ev-d",
        "ev-c",
        "ev-b",
        "ev-a",
        "ev-z",
    ]


def test_newest_first_pages_yield_the_oldest_first_journey_reversed(store: GraphStore) -> None:
    _many_events(store)
    oldest_first = _ids(store.journey("prf_ann", JourneyQuery(first=1000)).events)

    assert _ids(store.journey("prf_ann", NEWEST).events) == oldest_first[::-1]
    for size in (1, 2, 4, 7, 23, 50):
        query = JourneyQuery(first=size, newest_first=True)
        assert _all_pages(store, "prf_ann", query) == oldest_first[::-1], size


def test_the_first_newest_first_page_is_the_latest_events(store: GraphStore) -> None:
    events = _many_events(store)
    latest = sorted(events, key=lambda e: (e.occurred_at, e.id))[-5:]

    page = store.journey("prf_ann", JourneyQuery(first=5, newest_first=True))

    assert _ids(page.events) == [e.id for e in reversed(latest)]
    assert page.has_next_page is True


def test_type_and_time_filters_combine_with_newest_first(store: GraphStore) -> None:
    _many_events(store)
    oldest = JourneyQuery(first=2, types=frozenset({"purchase"}), since=at(1), until=at(7))
    oldest_first = _all_pages(store, "prf_ann", oldest)

    newest_first = _all_pages(store, "prf_ann", replace(oldest, newest_first=True))

    assert len(oldest_first) == 5
    assert newest_first == oldest_first[::-1]


def test_since_includes_its_moment_and_until_excludes_it_newest_first(store: GraphStore) -> None:
    _ann_and_bob(store)

    query = JourneyQuery(since=at(11), until=at(12), newest_first=True)

    assert _ids(store.journey("prf_ann", query).events) == ["ev-1"]


@pytest.mark.parametrize("issued_newest_first", [True, False])
def test_a_cursor_of_the_other_order_is_refused_naming_after(
    store: GraphStore, issued_newest_first: bool
) -> None:
    """Passed on in the other order, a cursor would skip the events on one side of it or
    repeat them: refused, saying which order it belongs to."""
    _ann_and_bob(store)
    issued = store.journey("prf_ann", JourneyQuery(first=1, newest_first=issued_newest_first))
    assert issued.end_cursor is not None

    with pytest.raises(InvalidInput) as refused:
        store.journey(
            "prf_ann", JourneyQuery(after=issued.end_cursor, newest_first=not issued_newest_first)
        )

    assert refused.value.field == "after"
    order = "newest" if issued_newest_first else "oldest"
    assert f"{order}-first order" in str(refused.value)


def test_a_cursor_of_another_shape_is_refused_newest_first(store: GraphStore) -> None:
    _ann_and_bob(store)

    for cursor in (encode_cursor("ev-1"), encode_cursor(at(11).isoformat(), "ev-1", "sideways")):
        with pytest.raises(InvalidInput) as refused:
            store.journey("prf_ann", JourneyQuery(after=cursor, newest_first=True))
        assert refused.value.field == "after"
