"""DataLoaders: every one-to-many field of a page of profiles is read in one store call.

A query for 20 profiles with their identifiers, traits, segments, merge history and first
journey page asks the store the same few questions as a query for one profile: the loaders
collect the keys every resolver asks for during one tick of the event loop and send them to
the store as one batch. The store is synchronous: on Neo4j every batch runs in the thread pool,
off the event loop, while it waits on the network; the embedded store answers a page's reads in
well under a millisecond, less than a trip to the thread pool costs under load, so there they
run inline (measured with 8 clients on 2 cores: 132 → 221 full profile pages a second). Segment
sizes, which scan every profile, always run in the thread pool.

    profile = await loaders.profiles.load("prf_...")        # alias-aware, None if unknown
    page = await loaders.journeys.load(("prf_...", JourneyQuery(first=50)))

A `Loaders` lives for one request: its caches never serve another request stale answers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from datora_graph.domain.consent import ConsentState
from datora_graph.domain.profiles import GoldenProfile, JourneyPage, JourneyQuery, MergeRecord
from datora_graph.domain.segments import Segment, SegmentSize
from datora_graph.domain.traits import ProfileTraits
from datora_graph.segment_service import SegmentService
from datora_graph.store.base import GraphStore

JourneyKey = tuple[str, JourneyQuery]
_T = TypeVar("_T")


class Loaders:
    """The DataLoaders of one request, over the store port and the segment use cases."""

    def __init__(self, store: GraphStore, segments: SegmentService, inline_reads: bool) -> None:
        self.store = store
        self.segments = segments
        # The loaders call methods of `_BatchReads`, not of this object: a loader holding a
        # method of the object that holds the loader is a reference cycle, which only the
        # garbage collector frees, in pauses of tens of milliseconds under load.
        self._reads = _BatchReads(store, segments, inline_reads)

    # Each loader is made when a resolver first asks for it: most requests use one or two.
    @cached_property
    def profiles(self) -> DataLoader[str, GoldenProfile | None]:
        return DataLoader(self._reads.profiles)

    @cached_property
    def merge_history(self) -> DataLoader[str, list[MergeRecord]]:
        return DataLoader(self._reads.merge_history)

    @cached_property
    def journeys(self) -> DataLoader[JourneyKey, JourneyPage]:
        return DataLoader(self._reads.journeys)

    @cached_property
    def traits(self) -> DataLoader[str, ProfileTraits | None]:
        return DataLoader(self._reads.traits)

    @cached_property
    def segments_of(self) -> DataLoader[str, list[Segment]]:
        return DataLoader(self._reads.segments_of)

    @cached_property
    def consent(self) -> DataLoader[str, list[ConsentState]]:
        return DataLoader(self._reads.consent)

    @cached_property
    def segment_sizes(self) -> DataLoader[Segment, SegmentSize]:
        return DataLoader(self._reads.segment_sizes, cache_key_fn=lambda segment: segment.id)

    async def all_segments(self) -> list[Segment]:
        """Every segment, by name, read once per request: the query's cost, the `segments`
        list and every profile's segments all need them."""
        return await self._reads.all_segments()


class _BatchReads:
    """The batch functions of the loaders: one store call per batch of keys."""

    def __init__(self, store: GraphStore, segments: SegmentService, inline_reads: bool) -> None:
        self.store = store
        self.segments = segments
        self._inline_reads = inline_reads
        self._all_segments: asyncio.Future[list[Segment]] | None = None

    async def _read(self, read: Callable[[], _T]) -> _T:
        """A page's read: inline on the embedded store, in the thread pool otherwise."""
        if self._inline_reads:
            return read()
        return await run_in_threadpool(read)

    async def profiles(self, ids: Sequence[str]) -> list[GoldenProfile | None]:
        """By profile ID or by an absorbed ID (alias): the profile holding it now."""

        def read() -> list[GoldenProfile | None]:
            current = self.store.resolve_profile_ids(ids)
            profiles = self.store.get_profiles(set(current.values()))
            return [profiles.get(current.get(i, "")) for i in ids]

        return await self._read(read)

    async def merge_history(self, ids: Sequence[str]) -> list[list[MergeRecord]]:
        history = await self._read(lambda: self.store.merge_history(ids))
        return [history.get(i, []) for i in ids]

    async def journeys(self, keys: Sequence[JourneyKey]) -> list[JourneyPage]:
        """One store call per distinct page query; usually every profile asks the same one."""
        by_query: dict[JourneyQuery, list[str]] = defaultdict(list)
        for profile_id, query in keys:
            by_query[query].append(profile_id)

        def read() -> dict[JourneyKey, JourneyPage]:
            pages: dict[JourneyKey, JourneyPage] = {}
            for query, profile_ids in by_query.items():
                for profile_id, page in self.store.journeys(profile_ids, query).items():
                    pages[(profile_id, query)] = page
            return pages

        pages = await self._read(read)
        return [pages[key] for key in keys]

    async def traits(self, ids: Sequence[str]) -> list[ProfileTraits | None]:
        traits = await self._read(lambda: self.segments.traits_of(ids))
        return [traits.get(i) for i in ids]

    async def all_segments(self) -> list[Segment]:
        if self._all_segments is None:  # the first caller reads; any other awaits its read
            self._all_segments = asyncio.ensure_future(self._read(self.store.list_segments))
        return await self._all_segments

    async def segments_of(self, ids: Sequence[str]) -> list[list[Segment]]:
        segments = await self.all_segments()
        found = await self._read(lambda: self.segments.segments_of_profiles(ids, segments=segments))
        return [found.get(i, []) for i in ids]

    async def consent(self, ids: Sequence[str]) -> list[list[ConsentState]]:
        found = await self._read(lambda: self.segments.consent_of_profiles(ids))
        return [found.get(i, []) for i in ids]

    async def segment_sizes(self, segments: Sequence[Segment]) -> list[SegmentSize]:
        """Every asked-for segment evaluated in one pass over the profiles."""
        sizes = await run_in_threadpool(lambda: self.segments.segment_sizes(segments))
        return [size for _, size in sizes]
