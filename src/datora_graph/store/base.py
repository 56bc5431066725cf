"""The store port: everything Datora Graph asks of a graph store, in batches.

Adapters (`sqlite`, `neo4j`) implement `GraphStore` and import only `datora_graph.domain`.
The conformance suite in `tests/conformance/` runs the same tests against every adapter.

Writes go through `commit`, which applies a whole `Changeset` in one transaction: after a
crash the store holds either all of a batch or none of it. Callers serialise writers
(`services.IdentityService` holds a lock); reads may run concurrently with a write.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Protocol

from datora_graph.domain.changeset import Changeset, Snapshot
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
