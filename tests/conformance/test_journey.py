"""Events and journeys: every event of every identifier of a profile, oldest first, once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest

from datora_graph.domain.changeset import Changeset, NewIdentifier, ProfileWrite
from datora_graph.domain.errors import Conflict, InvalidInput
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import JourneyQuery, encode_cursor
from datora_graph.domain.records import Event
from datora_graph.store.base import GraphStore

from .builders import at, copy_state, event, merger, observation, seed

ANN = ("cookie_id:c-1", "email:ann.lee@acme.io")
BOB = ("email:bob@acme.io",)


def _ids(events: Sequence[Event]) -> list[str]:
    return [e.id for e in events]


def _all_pages(store: GraphStore, profile_id: str, query: JourneyQuery) -> list[str]:
    """Follow the cursor to the end; bounded, so a cursor that never ends fails the test."""
    ids: list[str] = []
    after = query.after
    for _ in range(1000):
        page = store.journey(profile_id, replace(query, after=after))
        assert len(page.events) <= query.first
        ids.extend(e.id for e in page.events)
        if not page.has_next_page:
            return ids
        assert page.end_cursor is not None, "a page with a next page names its end cursor"
        after = page.end_cursor
    raise AssertionError("the journey cursor never reached the last page")


def _ann_and_bob(store: GraphStore) -> list[Event]:
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_bob", BOB, seq=2)
    events = [
        event("ev-0", ["email:ann.lee@acme.io"], at(10), type_="email_open", source="esp"),
        event("ev-1", ["cookie_id:c-1"], at(11)),
        event(
            "ev-2",
            ["email:ann.lee@acme.io", "cookie_id:c-1"],
            at(12),
            type_="purchase",
            source="shop",
            properties={"revenue": 42.5, "items": [{"sku": "A-1", "qty": 2}], "note": "Zoë"},
        ),
        event("ev-bob", ["email:bob@acme.io"], at(11.5)),
    ]
    store.commit(Changeset(events=events))
    return events


def test_a_journey_is_every_event_of_every_identifier_oldest_first(store: GraphStore) -> None:
    events = _ann_and_bob(store)

    page = store.journey("prf_ann", JourneyQuery())

    assert list(page.events) == events[:3]
    assert page.has_next_page is False
    assert list(store.journey("prf_bob", JourneyQuery()).events) == [events[3]]


def test_an_event_comes_back_exactly_as_committed(store: GraphStore) -> None:
    events = _ann_and_bob(store)

    purchase = store.journey("prf_ann", JourneyQuery(types=frozenset({"purchase"}))).events[0]

    assert purchase == events[2]
    assert purchase.occurred_at.utcoffset() == timedelta(0)
    assert purchase.identifiers == (
        Identifier("email", "ann.lee@acme.io"),
        Identifier("cookie_id", "c-1"),
    )


def test_known_event_ids(store: GraphStore) -> None:
    _ann_and_bob(store)

    assert store.known_event_ids(["ev-1", "ev-bob", "ev-9"]) == {"ev-1", "ev-bob"}
    assert store.known_event_ids([]) == set()
    assert store.stats().events == 4


def test_journey_filtered_by_type(store: GraphStore) -> None:
    _ann_and_bob(store)

    def of_types(*types: str) -> list[str]:
        return _ids(store.journey("prf_ann", JourneyQuery(types=frozenset(types))).events)

    assert of_types("purchase") == ["ev-2"]
    assert of_types("page_view", "email_open") == ["ev-0", "ev-1"]
    assert of_types("refund") == []


def test_journey_filtered_by_time(store: GraphStore) -> None:
    _ann_and_bob(store)

    def window(since: float | None, until: float | None) -> list[str]:
        query = JourneyQuery(
            since=None if since is None else at(since),
            until=None if until is None else at(until),
        )
        return _ids(store.journey("prf_ann", query).events)

    assert window(10.5, None) == ["ev-1", "ev-2"]
    assert window(None, 11.5) == ["ev-0", "ev-1"]
    assert window(10.5, 11.5) == ["ev-1"]
    assert window(12.5, None) == []


def test_since_includes_its_moment_and_until_excludes_it(store: GraphStore) -> None:
    """Time windows are half-open, `[since, until)`, so consecutive windows never count an
    event twice."""
    _ann_and_bob(store)

    def window(since: float, until: float) -> list[str]:
        query = JourneyQuery(since=at(since), until=at(until))
        return _ids(store.journey("prf_ann", query).events)

    assert window(11, 12) == ["ev-1"]
    assert window(10, 11) + window(11, 12) + window(12, 13) == ["ev-0", "ev-1", "ev-2"]


def test_an_event_with_two_identifiers_of_the_profile_appears_once(store: GraphStore) -> None:
    _ann_and_bob(store)

    ids = _ids(store.journey("prf_ann", JourneyQuery()).events)

    assert ids.count("ev-2") == 1
    assert _all_pages(store, "prf_ann", JourneyQuery(first=1)) == ["ev-0", "ev-1", "ev-2"]


def _many_events(store: GraphStore) -> list[Event]:
    """23 events over both of Ann's identifiers, some sharing a moment, committed out of order."""
    seed(store, "prf_ann", ANN, seq=1)
    events = [
        event(
            f"ev-{n:02d}",
            [ANN[n % 2]] if n % 5 else list(ANN),
            at(n // 3),
            type_="purchase" if n % 4 == 0 else "page_view",
        )
        for n in range(23)
    ]
    store.commit(Changeset(events=events[11:]))
    store.commit(Changeset(events=events[:11]))
    return events


def test_pages_yield_every_event_exactly_once_in_time_order(store: GraphStore) -> None:
    events = _many_events(store)
    whole = _ids(store.journey("prf_ann", JourneyQuery(first=1000)).events)

    for size in (1, 4, 7, 23, 50):
        assert _all_pages(store, "prf_ann", JourneyQuery(first=size)) == whole

    assert sorted(whole) == sorted(e.id for e in events)
    moments = [e.occurred_at for e in store.journey("prf_ann", JourneyQuery(first=1000)).events]
    assert moments == sorted(moments)


def test_ties_are_broken_the_same_way_every_time(store: GraphStore) -> None:
    _many_events(store)

    first = _ids(store.journey("prf_ann", JourneyQuery(first=1000)).events)
    again = _ids(store.journey("prf_ann", JourneyQuery(first=1000)).events)

    assert first == again
    assert _all_pages(store, "prf_ann", JourneyQuery(first=2)) == first


def test_pages_of_a_filtered_journey(store: GraphStore) -> None:
    events = _many_events(store)
    query = JourneyQuery(first=2, types=frozenset({"purchase"}), since=at(1), until=at(7))

    ids = _all_pages(store, "prf_ann", query)

    expected = [e for e in events if e.type == "purchase" and at(1) <= e.occurred_at < at(7)]
    assert sorted(ids) == sorted(e.id for e in expected)
    assert len(ids) == len(set(ids)) == 5


def test_the_last_full_page_says_there_is_no_next_page(store: GraphStore) -> None:
    _ann_and_bob(store)

    page = store.journey("prf_ann", JourneyQuery(first=3))

    assert _ids(page.events) == ["ev-0", "ev-1", "ev-2"]
    assert page.has_next_page is False


def test_an_event_before_its_identifier_joins_the_journey_later(store: GraphStore) -> None:
    ann = seed(store, "prf_ann", ANN, seq=1)
    early = event("ev-early", ["device_id:d-new"], at(0.5), type_="app_open", source="app")
    store.commit(Changeset(events=[early]))
    assert list(store.journey("prf_ann", JourneyQuery()).events) == []

    grown = copy_state(ann.state)
    grown.size += 1
    grown.type_counts["device_id"] = 1
    store.commit(
        Changeset(
            observations=[observation(2, ("email:ann.lee@acme.io", "device_id:d-new"))],
            new_identifiers=[
                NewIdentifier(Identifier.from_key("device_id:d-new"), "prf_ann", False, at(2))
            ],
            profiles=[ProfileWrite(grown, {}, at(2))],
        )
    )

    assert list(store.journey("prf_ann", JourneyQuery()).events) == [early]


def test_after_a_merge_the_survivor_has_both_journeys(store: GraphStore) -> None:
    ann = seed(store, "prf_ann", ANN, seq=1)
    app = seed(store, "prf_app", ["device_id:d-1"], seq=2, source="app")
    events = [
        event("ev-a", ["cookie_id:c-1"], at(10)),
        event("ev-b", ["device_id:d-1"], at(11), type_="app_open"),
        event("ev-c", ["email:ann.lee@acme.io"], at(12)),
    ]
    store.commit(Changeset(events=events))
    changeset, _ = merger(ann.state, app.state, seq=3, link=("cookie_id:c-1", "device_id:d-1"))

    store.commit(changeset)

    assert list(store.journey("prf_ann", JourneyQuery()).events) == events


def test_the_journey_of_a_profile_without_events_is_empty(store: GraphStore) -> None:
    _ann_and_bob(store)
    seed(store, "prf_cy", ["email:cy@acme.io"], seq=3)

    page = store.journey("prf_cy", JourneyQuery())

    assert (list(page.events), page.has_next_page) == ([], False)


def test_time_filters_compare_instants_whatever_their_zone(store: GraphStore) -> None:
    _ann_and_bob(store)
    paris_summer = timezone(timedelta(hours=2))

    query = JourneyQuery(since=at(10.5).astimezone(paris_summer), until=at(11.5).astimezone(UTC))

    assert _ids(store.journey("prf_ann", query).events) == ["ev-1"]


def test_microseconds_are_kept_and_ordered(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    tick = timedelta(microseconds=1)
    events = [
        event("ev-late", ["cookie_id:c-1"], at(10) + 2 * tick),
        event("ev-early", ["cookie_id:c-1"], at(10) + tick),
    ]
    store.commit(Changeset(events=events))

    page = store.journey("prf_ann", JourneyQuery(since=at(10) + 2 * tick))
    everything = store.journey("prf_ann", JourneyQuery()).events

    assert [(e.id, e.occurred_at) for e in everything] == [
        ("ev-early", at(10) + tick),
        ("ev-late", at(10) + 2 * tick),
    ]
    assert _ids(page.events) == ["ev-late"]


def test_committing_a_known_event_id_raises_and_keeps_nothing(store: GraphStore) -> None:
    """Like observations: the service drops known IDs, a store refuses them as a whole batch."""
    events = _ann_and_bob(store)
    before = store.stats()

    with pytest.raises(Conflict):
        store.commit(
            Changeset(
                events=[
                    event("ev-new", ["cookie_id:c-1"], at(20)),
                    event("ev-1", ["cookie_id:c-1"], at(21), type_="purchase"),
                ]
            )
        )

    assert store.stats() == before
    assert store.known_event_ids(["ev-new"]) == set()
    assert list(store.journey("prf_ann", JourneyQuery()).events) == events[:3]


def test_a_cursor_the_store_did_not_issue_is_refused_naming_after(store: GraphStore) -> None:
    """Cursors are opaque: one of another shape is the client's mistake, reported as such."""
    _ann_and_bob(store)

    with pytest.raises(InvalidInput) as refused:
        store.journey("prf_ann", JourneyQuery(after=encode_cursor("ev-1")))

    assert refused.value.field == "after"
