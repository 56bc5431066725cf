"""The store port: everything Datora Graph asks of a graph store, in batches.

Adapters (`sqlite`, `neo4j`) implement `GraphStore` and import only `datora_graph.domain`.
The conformance suite in `tests/conformance/` runs the same tests against every adapter.

Writes go through `commit`, which applies a whole `Changeset` in one transaction: after a
crash the store holds either all of a batch or none of it. Callers serialise writers
(`services.IdentityService` holds a lock); reads may run concurrently with a write.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from datora_graph.domain.changeset import Changeset, Snapshot
from datora_graph.domain.consent import ConsentState, ConsentStatement
from datora_graph.domain.insights import DailyEvents, GraphCounts, ValueDistribution, ValueKind
from datora_graph.domain.profiles import (
    GoldenProfile,
    JourneyPage,
    JourneyQuery,
    MergeRecord,
    RejectionFilter,
    RejectionPage,
    ReviewFilter,
    ReviewPage,
    StoreStats,
)
from datora_graph.domain.segments import (
    MemberPage,
    Segment,
    SegmentContact,
    SegmentQuery,
    SegmentSize,
)
from datora_graph.domain.traits import TraitFacts, TraitSettings


class GraphStore(Protocol):
    """The identity graph and its logs."""

    # -- ingest ---------------------------------------------------------------------------
    def known_observation_ids(self, ids: Collection[str]) -> set[str]:
        """Which of these observation IDs are already in the log."""
        ...

    def known_event_ids(self, ids: Collection[str]) -> set[str]:
        """Which of these event IDs are already stored."""
        ...

    def last_sequence(self) -> int:
        """The log position of the newest observation, 0 for an empty log."""
        ...

    def load_snapshot(self, keys: Collection[str]) -> Snapshot:
        """The identifiers among `keys` that exist, and the state of every profile they are in,
        including the cannot-link constraint sides of those profiles."""
        ...

    def commit(self, changeset: Changeset) -> None:
        """Apply the changeset atomically (see `Changeset` for the order)."""
        ...

    def add_cannot_link(self, a: str, b: str, reason: str) -> int:
        """Record that identifiers `a` and `b` must never be in one profile; returns its ID."""
        ...

    # -- the observation log and rebuilds ------------------------------------------------
    def read_log(self, after_seq: int, limit: int) -> Sequence[tuple[int, str]]:
        """Up to `limit` log entries `(seq, payload)` after `after_seq`, in log order."""
        ...

    def reset_derived(self) -> None:
        """Forget everything derived from the observation log (identifiers, evidence, profiles,
        aliases, review items, merge history); keep the log, events, rejections and
        cannot-link constraints. Marks a rebuild as in progress until `finish_rebuild`."""
        ...

    def finish_rebuild(self) -> None: ...

    def rebuild_in_progress(self) -> bool: ...

    # -- reads ----------------------------------------------------------------------------
    def resolve_profile_ids(self, ids: Collection[str]) -> dict[str, str]:
        """Current profile ID for each given ID that is a profile or an alias of one."""
        ...

    def profile_ids_for_identifiers(self, keys: Collection[str]) -> dict[str, str]:
        """Profile ID for each identifier key that exists."""
        ...

    def get_profiles(self, ids: Collection[str]) -> dict[str, GoldenProfile]:
        """Profiles by current ID (not alias), with identifiers and aliases."""
        ...

    def journey(self, profile_id: str, query: JourneyQuery) -> JourneyPage:
        """Events of every identifier of the profile, oldest first, one page."""
        ...

    def journeys(self, profile_ids: Collection[str], query: JourneyQuery) -> dict[str, JourneyPage]:
        """The same page of the journey of each profile, in one round trip, so a page of
        profiles with their journeys costs a fixed number of store calls. Every given ID is a
        key of the answer; an ID that is no profile (or has no events) gets an empty page.
        `query.after` applies to every profile, so it is only meaningful for one."""
        ...

    def iter_profiles(self, batch_size: int = 1000) -> Iterator[list[GoldenProfile]]:
        """Every profile with its identifiers, in ID order, a batch at a time."""
        ...

    def list_rejections(self, query: RejectionFilter) -> RejectionPage: ...

    def merge_history(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        """Every merge whose survivor is one of `profile_ids` or was later absorbed into one,
        oldest first; profiles without merges are absent."""
        ...

    def list_review_items(self, query: ReviewFilter) -> ReviewPage:
        """Review items in the order they were opened, naming the profiles that hold their
        identifiers now."""
        ...

    def stats(self) -> StoreStats: ...

    def ping(self) -> None:
        """Raise StoreUnavailable with the reason when the store cannot serve."""
        ...

    def close(self) -> None: ...

    # -- segments (issue 3): definitions -------------------------------------------------
    def create_segment(self, segment: Segment) -> None:
        """Store a new segment; Conflict when its name is taken."""
        ...

    def update_segment(self, segment: Segment) -> None:
        """Replace the stored segment of `segment.id` (name, description, definition, purpose,
        updated_at); NotFound when there is none, Conflict when the name is another's."""
        ...

    def delete_segment(self, segment_id: str) -> bool:
        """Whether a segment was deleted."""
        ...

    def get_segments(self, ids: Collection[str]) -> dict[str, Segment]:
        """Segments by ID; unknown IDs are absent."""
        ...

    def segment_by_name(self, name: str) -> Segment | None: ...

    def list_segments(self) -> list[Segment]:
        """Every segment, by name."""
        ...

    # -- segments: evaluation, in the store's own query language, never profile by profile --
    def segment_sizes(self, queries: Sequence[SegmentQuery]) -> list[SegmentSize]:
        """The size of each query's segment among people (profiles not only of junk), all from
        one snapshot; the queries share `as_of` and trait settings."""
        ...

    def segment_members(self, query: SegmentQuery, first: int, after: str | None) -> MemberPage:
        """Up to `first` member profile IDs in ID order after the cursor `after`."""
        ...

    def segment_memberships(
        self, profile_ids: Collection[str], queries: Mapping[str, SegmentQuery]
    ) -> dict[str, list[str]]:
        """For each given profile (current IDs), the keys of the queries it matches; profiles
        that match none may be absent. For a page of profiles, not for the whole graph."""
        ...

    def iter_segment_contacts(
        self,
        query: SegmentQuery,
        identifier_type: str,
        purpose: str | None,
        batch_size: int = 1000,
    ) -> Iterator[list[SegmentContact]]:
        """The members' non-junk identifiers of `identifier_type`, by profile ID then value;
        with a `purpose`, only identifiers whose consent for it is granted. One consistent
        snapshot, streamed in batches; the query runs before this returns (errors surface
        here), and closing the iterator releases it."""
        ...

    # -- consent ------------------------------------------------------------------------
    def record_consent(self, statements: Sequence[ConsentStatement]) -> None:
        """Keep the statements and update the consent in force (domain/consent.py: the latest
        by time wins, a withdrawal among equals); resending a statement changes nothing."""
        ...

    def consent_of_identifiers(self, keys: Collection[str]) -> dict[str, list[ConsentState]]:
        """The consent in force per identifier key, by purpose; keys without any are absent."""
        ...

    def consent_of_profiles(self, profile_ids: Collection[str]) -> dict[str, list[ConsentState]]:
        """The consent in force of every identifier of each profile (current IDs)."""
        ...

    # -- traits -------------------------------------------------------------------------
    def configure_traits(self, settings: TraitSettings) -> None:
        """Make stored activity aggregates fold in these order types and event scores
        (recomputing them once when they changed)."""
        ...

    def trait_facts(self, profile_ids: Collection[str]) -> dict[str, TraitFacts]:
        """What `domain.traits.compute_traits` needs, per profile (current IDs)."""
        ...

    # -- insights -----------------------------------------------------------------------
    def graph_counts(self) -> GraphCounts: ...

    def attribute_completeness(self, names: Sequence[str]) -> dict[str, float]:
        """Per attribute, the share of people whose golden attributes have it."""
        ...

    def value_distribution(
        self, kind: ValueKind, as_of: datetime, traits: TraitSettings
    ) -> ValueDistribution:
        """Total revenue or customer lifetime value over people with at least one order."""
        ...

    def events_per_day(self, since: datetime, until: datetime) -> list[DailyEvents]:
        """Events by UTC day and type, with their revenue, for `since <= occurred_at < until`."""
        ...
