"""DataLoaders: a page of 20 profiles with their identifiers, journeys and merge history costs
the store exactly as many calls as a page of one.

The store is the real SQLite store behind a counting proxy (it delegates every call, it fakes
nothing), served by a real server, queried over HTTP.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from tests.conftest import ServeApp, auth_headers

from datora_graph.api import create_app
from datora_graph.api.graphql.loaders import Loaders
from datora_graph.config import Settings
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

from ..payloads import event, obs
from .conftest import GraphQLClient


class CountingStore:
    """Delegates to a real store and counts the calls by method name."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def counted(
    serve_app: ServeApp, settings: Settings, tmp_path: Path
) -> Iterator[tuple[GraphQLClient, CountingStore]]:
    inner = SqliteStore(tmp_path / "counted.db")
    headers = auth_headers(inner)
    store = CountingStore(inner)
    service = IdentityService(cast(GraphStore, store), settings)
    try:
        app = create_app(service=service)
        with serve_app(app) as url, httpx.Client(base_url=url, headers=headers) as http:
            yield GraphQLClient(http), store
    finally:
        store.close()


def people(graphql: GraphQLClient, count: int) -> None:
    """`count` people, each two CRM records held apart (a review item, so a page of review
    items is a page of profile pairs), with a merge and three events on one side."""
    for n in range(count):
        observations = [
            obs(f"a{n}", f"crm_id:A-{n}", f"email:p{n}@acme.io", at=n),
            obs(f"c{n}", f"cookie_id:c-{n}", at=n),
            obs(f"m{n}", f"email:p{n}@acme.io", f"cookie_id:c-{n}", at=n + 0.1),
            obs(f"b{n}", f"crm_id:B-{n}", f"phone:+1415555{n:04}", at=n),
            obs(f"j{n}", f"email:p{n}@acme.io", f"phone:+1415555{n:04}", at=n + 0.5),
        ]
        events = [event(f"e{n}-{k}", "page_view", f"cookie_id:c-{n}", at=n + k) for k in range(3)]
        graphql.data(INGEST, o=observations, e=events)


INGEST = """mutation ($o: [JSON!]!, $e: [JSON!]!) {
  ingestObservations(observations: $o) { accepted } ingestEvents(events: $e) { accepted } }"""
PROFILE = """{ id aliases identifiers { key firstSeen } mergeHistory { absorbed }
  journey(first: 2) { edges { cursor node { id identifiers { key } } } pageInfo { hasNextPage } }
}"""
PAGE_OF_PAIRS = f"""query ($first: Int!) {{ reviewQueue(first: $first) {{ edges {{ node {{
  profileA {PROFILE} profileB {PROFILE} }} }} }} }}"""


def calls_for(
    graphql: GraphQLClient, store: CountingStore, query: str, **variables: Any
) -> tuple[Counter[str], dict[str, Any]]:
    store.calls.clear()
    data = graphql.data(query, **variables)
    calls = Counter(store.calls)
    assert calls.pop("api_key_by_hash") == 1, "the API key is looked up once per request"
    return calls, data


@pytest.mark.parametrize("size", [1, 20])
def test_a_page_of_profiles_costs_a_fixed_number_of_store_calls(
    counted: tuple[GraphQLClient, CountingStore], size: int
) -> None:
    graphql, store = counted
    people(graphql, 20)

    calls, data = calls_for(graphql, store, PAGE_OF_PAIRS, first=size)

    pairs = data["reviewQueue"]["edges"]
    assert len(pairs) == size
    merged = [p["node"]["profileA"] for p in pairs]
    assert all(
        len(p["journey"]["edges"]) == 2 and p["journey"]["pageInfo"]["hasNextPage"] for p in merged
    )
    assert all(len(p["mergeHistory"]) == 1 and len(p["identifiers"]) == 3 for p in merged)
    assert calls == {
        "list_review_items": 1,
        "resolve_profile_ids": 1,
        "get_profiles": 1,
        "journeys": 1,
        "merge_history": 1,
    }


FULL_PROFILE = """{ id identifiers { key } mergeHistory { absorbed }
  journey(first: 2) { edges { node { id } } pageInfo { hasNextPage } }
  traits { eventCount orderCount totalRevenue } segments { name } size
  consent { purpose status identifier { key } } }"""
PAGE_OF_PROFILES = f"""query ($first: Int!) {{ profiles(first: $first) {{
  edges {{ node {FULL_PROFILE} }} pageInfo {{ hasNextPage }} }} }}"""


@pytest.mark.parametrize("size", [1, 20])
def test_a_page_of_profiles_with_traits_segments_and_consent_costs_the_same(
    counted: tuple[GraphQLClient, CountingStore], size: int
) -> None:
    graphql, store = counted
    people(graphql, 10)
    graphql.data(
        'mutation { defineSegment(name: "Browsers", definition: {event: {type: "page_view"}}) '
        "{ id } }"
    )
    graphql.data(
        'mutation { recordConsent(statements: [{identifier: {type: "email", value: "p0@acme.io"},'
        ' purpose: "email_marketing", status: "granted", source: "test"}]) { recorded } }'
    )

    calls, data = calls_for(graphql, store, PAGE_OF_PROFILES, first=size)

    profiles = [edge["node"] for edge in data["profiles"]["edges"]]
    assert len(profiles) == size
    browsers = [p for p in profiles if p["traits"]["eventCount"]]
    assert browsers
    assert all(p["segments"] == [{"name": "Browsers"}] for p in browsers)
    assert all(len(p["journey"]["edges"]) == 2 for p in browsers)
    assert sum(len(p["consent"]) for p in profiles) <= 1
    assert calls == {
        "segment_members": 1,
        "resolve_profile_ids": 1,
        "get_profiles": 1,
        "journeys": 1,
        "merge_history": 1,
        "trait_facts": 1,
        "list_segments": 1,
        "segment_memberships": 1,
        "consent_of_profiles": 1,
    }


def test_aliased_lookups_are_batched_too(counted: tuple[GraphQLClient, CountingStore]) -> None:
    graphql, store = counted
    people(graphql, 5)
    ids = [
        graphql.data(f'{{ profileByIdentifier(type: "crm_id", value: "B-{n}") {{ id }} }}')[
            "profileByIdentifier"
        ]["id"]
        for n in range(5)
    ]
    lookups = " ".join(f'p{n}: profile(id: "{i}") {PROFILE}' for n, i in enumerate(ids))

    calls, data = calls_for(graphql, store, f"{{ {lookups} }}")

    assert [data[f"p{n}"]["id"] for n in range(5)] == ids
    assert calls == {"resolve_profile_ids": 1, "get_profiles": 1, "journeys": 1, "merge_history": 1}


def test_the_same_profile_asked_twice_is_read_once(
    counted: tuple[GraphQLClient, CountingStore],
) -> None:
    graphql, store = counted
    people(graphql, 1)
    profile_id = graphql.data('{ profileByIdentifier(type: "crm_id", value: "A-0") { id } }')[
        "profileByIdentifier"
    ]["id"]
    twice = (
        f'{{ a: profile(id: "{profile_id}") {PROFILE} b: profile(id: "{profile_id}") {PROFILE} }}'
    )

    calls, data = calls_for(graphql, store, twice)

    assert data["a"] == data["b"]
    assert calls == {"resolve_profile_ids": 1, "get_profiles": 1, "journeys": 1, "merge_history": 1}


def test_reads_in_the_thread_pool_answer_as_inline_reads(
    tmp_path: Path, settings: Settings
) -> None:
    """The embedded store's loaders read inline, Neo4j's in the thread pool: same answers."""
    store = SqliteStore(tmp_path / "inline.db")
    try:
        service = IdentityService(store, settings)
        service.ingest_observations(
            [obs("o1", "email:ann@acme.io", "cookie_id:c-1"), obs("o2", "email:bo@acme.io")]
        )
        service.ingest_events([event("e1", "page_view", "cookie_id:c-1")])
        ids = [service.lookup("email:ann@acme.io").id, service.lookup("email:bo@acme.io").id]
        segments = SegmentService(store, settings)

        async def answers(inline: bool) -> tuple[Any, ...]:
            loaders = Loaders(store, segments, inline_reads=inline)
            profiles = await loaders.profiles.load_many(ids)
            pages = await loaders.journeys.load_many([(i, JourneyQuery()) for i in ids])
            traits = await loaders.traits.load_many(ids)
            counts = [(t.event_count, t.data_quality) if t else None for t in traits]
            return profiles, pages, counts

        inline, pooled = asyncio.run(answers(True)), asyncio.run(answers(False))

        assert inline == pooled
        assert [len(page.events) for page in inline[1]] == [1, 0]
    finally:
        store.close()
