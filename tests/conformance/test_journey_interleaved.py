"""Journeys of profiles with several identifiers whose events interleave in time: paged through
with small pages, in both orders, with type and time filters, one profile at a time and in
batches, every store visits exactly the events a brute-force sort of the committed events
gives, each once. Many events share an instant (ties go by event ID) and some are on two
identifiers of the same profile, or on identifiers of two profiles.

The events are committed once per test; hypothesis draws only the queries, which read."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.profiles import JourneyPage, JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.store.base import GraphStore

from .builders import at, event, seed

ANN = ("cookie_id:c-1", "device_id:d-1", "email:ann@acme.io", "phone:+14155550101", "user_id:u1")
BOB = ("cookie_id:c-2", "email:bob@acme.io")
PEOPLE = {"prf_ann": ANN, "prf_bob": BOB}
TYPES = ("page_view", "purchase", "email_open")
MINUTES = 30
READS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

queries = st.builds(
    JourneyQuery,
    first=st.integers(1, 7),
    types=st.frozensets(st.sampled_from(TYPES), max_size=2),
    since=st.none() | st.integers(0, 2 * MINUTES).map(lambda half: at(half / 2)),
    until=st.none() | st.integers(0, 2 * MINUTES).map(lambda half: at(half / 2)),
    newest_first=st.booleans(),
)


def _interleaved(store: GraphStore) -> list[Event]:
    """Ann's five identifiers and Bob's two, 150 events over 30 minutes in half-minute steps;
    IDs drawn at random, so at a shared instant the ID order is not the order of commit."""
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_bob", BOB, seq=2)
    draw = random.Random(20261207)
    ids = draw.sample(range(10_000), 150)
    keys = ANN + BOB
    events = [
        event(
            f"ev-{ids[n]:04d}",
            draw.sample(keys, draw.choice((1, 1, 1, 2, 3))),
            at(draw.randrange(2 * MINUTES + 1) / 2),
            type_=draw.choice(TYPES),
        )
        for n in range(150)
    ]
    store.commit(Changeset(events=events))
    return events


def _expected(events: Sequence[Event], keys: Sequence[str], query: JourneyQuery) -> list[str]:
    """The brute-force journey: the profile's matching events, sorted, whole."""
    wanted = [
        e
        for e in events
        if {i.key for i in e.identifiers} & set(keys)
        and (not query.types or e.type in query.types)
        and (query.since is None or e.occurred_at >= query.since)
        and (query.until is None or e.occurred_at < query.until)
    ]
    ordered = sorted(wanted, key=lambda e: (e.occurred_at, e.id), reverse=query.newest_first)
    return [e.id for e in ordered]


def _follow(read: Callable[[JourneyQuery], JourneyPage], query: JourneyQuery) -> list[str]:
    """Every page from the start, following the cursor; bounded, so a cursor that never ends
    fails the test."""
    seen: list[str] = []
    after = None
    for _ in range(200):
        page = read(replace(query, after=after))
        assert len(page.events) <= query.first
        seen += [e.id for e in page.events]
        if not page.has_next_page:
            return seen
        assert page.end_cursor is not None
        after = page.end_cursor
    raise AssertionError("the journey cursor never reached the last page")


def _in_batch(store: GraphStore, profile_id: str, query: JourneyQuery) -> JourneyPage:
    """`profile_id`'s page of a batch of every profile and one with no events."""
    pages = store.journeys([*PEOPLE, "prf_nobody"], query)
    assert pages["prf_nobody"].events == []
    return pages[profile_id]


def test_the_interleaved_events_have_ties_and_shared_events(store: GraphStore) -> None:
    """The data is as hard as the module says: the other tests depend on it."""
    events = _interleaved(store)
    moments: dict[datetime, int] = {}
    for e in events:
        moments[e.occurred_at] = moments.get(e.occurred_at, 0) + 1
    on_two_of_ann = [e for e in events if len({i.key for i in e.identifiers} & set(ANN)) > 1]

    assert max(moments.values()) >= 5
    assert len(on_two_of_ann) >= 10
    assert _follow(partial(store.journey, "prf_ann"), JourneyQuery(first=50)) == _expected(
        events, ANN, JourneyQuery()
    )


def test_pages_of_one_profile_are_the_brute_force_journey(store: GraphStore) -> None:
    events = _interleaved(store)

    @READS
    @given(query=queries)
    def pages_match(query: JourneyQuery) -> None:
        for profile_id, keys in PEOPLE.items():
            seen = _follow(partial(store.journey, profile_id), query)
            assert seen == _expected(events, keys, query)

    pages_match()


def test_batched_pages_are_the_brute_force_journeys(store: GraphStore) -> None:
    """A profile's page in a batch (with a profile that has no events, and with the others),
    followed by its own cursor batch after batch, walks its whole journey. The cursor applies
    to every profile of the batch, so only that profile's pages are checked."""
    events = _interleaved(store)

    @READS
    @given(query=queries)
    def pages_match(query: JourneyQuery) -> None:
        for profile_id, keys in PEOPLE.items():
            seen = _follow(partial(_in_batch, store, profile_id), query)
            assert seen == _expected(events, keys, query)

    pages_match()
