"""The store port: everything Datora Graph asks of a graph store, in batches.

Adapters (`sqlite`, `neo4j`) implement `GraphStore` and import only `datora_graph.domain`.
The conformance suite in `tests/conformance/` runs the same tests against every adapter.

Writes go through `commit`, which applies a whole `Changeset` in one transaction: after a
crash the store holds either all of a batch or none of it. Callers serialise writers
(`services.IdentityService` holds a lock); reads may run concurrently with a write.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from datora_graph.domain.access import ApiKey
from datora_graph.domain.audit import AuditEntry, AuditFilter, AuditPage
from datora_graph.domain.cannot_links import CannotLink
from datora_graph.domain.changeset import Changeset, JoinedOpenItem, OpenReviewItem, Snapshot
from datora_graph.domain.consent import ConsentState, ConsentStatement
from datora_graph.domain.erasure import ErasedRecord, Erasure, ErasureCounts
from datora_graph.domain.insights import DailyEvents, GraphCounts, ValueDistribution, ValueKind
from datora_graph.domain.mentions import MENTION_PAGE_ROWS, MentionPage
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
from datora_graph.domain.records import Event, RecordKind
from datora_graph.domain.redaction import EventRedaction, ObservationRedaction
from datora_graph.domain.segments import (
    MemberPage,
    Segment,
    SegmentContact,
    SegmentQuery,
    SegmentSize,
)
from datora_graph.domain.steward import Decision, DecisionPage, GraphSlice, StewardChange
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

    def erased_ids(self, kind: RecordKind, ids: Collection[str]) -> set[str]:
        """Which of these IDs name an observation or event (`kind`) an erasure removed, found by
        `erased_fingerprint`: the store never holds an erased ID itself."""
        ...

    def last_sequence(self) -> int:
        """The log position of the newest observation, 0 for an empty log."""
        ...

    def load_snapshot(self, keys: Collection[str]) -> Snapshot:
        """The identifiers among `keys` that exist, and the state of every profile they are in,
        including the cannot-link constraint sides of those profiles."""
        ...

    def open_review_items_between(self, profile_ids: Collection[str]) -> list[OpenReviewItem]:
        """The open review items whose two ends lie in two different ones of `profile_ids`
        (current IDs), oldest first: the items a batch that merged those profiles may have
        answered. Asked only after a batch merged stored profiles, not with every snapshot:
        reading the members of every profile a batch touches cost ingest a tenth."""
        ...

    def joined_open_items(self) -> list[JoinedOpenItem]:
        """The open review items whose two ends are in one profile now, oldest first: what a
        store written before records answered items left open (`answered_upgrade`). Reads
        every open item: asked once per store, not on every open."""
        ...

    def merges_as_recorded(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        """`merge_history` in the order the merges were recorded (a batch's in the order the
        engine made them, batches in log order), not by observation time: the order a replay
        makes them in."""
        ...

    def upgrade_done(self, name: str) -> bool:
        """Whether the one-off upgrade `name` has run on this store (kept in its meta)."""
        ...

    def mark_upgrade_done(self, name: str) -> None:
        """Record that the one-off upgrade `name` has run, so no later open runs it again."""
        ...

    def writer_lock(self) -> AbstractContextManager[object]:
        """The one write lock of this store, the same object on every call: held around each
        read-resolve-commit cycle (`IdentityService`, stewards, erasure) and every other
        read-then-write (segment updates). It keeps out the other threads of this process
        and other processes writing the same store (SQLite: a file lock; Neo4j: a transaction
        holding a node locked). A holder that dies releases it. The holding thread may take
        it again inside (a migration holds the target's throughout, around its batches)."""
        ...

    def commit(self, changeset: Changeset) -> None:
        """Apply the changeset atomically (see `Changeset` for the order)."""
        ...

    def add_cannot_link(
        self, a: str, b: str, reason: str, created_at: datetime | None = None
    ) -> int:
        """Record that identifiers `a` and `b` must never be in one profile; returns its ID.
        `created_at`: when it was first recorded (a migration carries it; default now)."""
        ...

    # -- the observation log and rebuilds ------------------------------------------------
    def read_log(self, after_seq: int, limit: int) -> Sequence[tuple[int, str]]:
        """Up to `limit` log entries `(seq, payload)` after `after_seq`, in log order."""
        ...

    def reset_derived(self) -> None:
        """Forget everything derived from the observation log (identifiers, evidence, profiles,
        aliases, review items, merge history, and the rejections a replay of it made: those
        whose reason begins `REPLAY_REJECTION_PREFIX`), and the log index with its position
        (its keys were made under the identifier settings of the time: the replay indexes the
        log again under the current ones); keep the log, events, the rejections made at ingest
        and cannot-link constraints. Marks a rebuild as in progress until `finish_rebuild`."""
        ...

    def finish_rebuild(self) -> None: ...

    def rebuild_in_progress(self) -> bool: ...

    def key_rules(self) -> str | None:
        """The identifier key rules the graph and the log index were made under
        (`domain/key_rules.py`), as recorded; None before any were."""
        ...

    def record_key_rules(self, rules: str) -> None:
        """Record the key rules the graph is made under from now on (at the first ingest,
        and by a rebuild, which makes the whole graph again under them)."""
        ...

    def stored_record_keys(self, after: str, limit: int) -> list[str]:
        """The identifier keys events and consent statements are stored under, each once, in
        key order: the first `limit` past `after` ('' for the first page)."""
        ...

    def rekey_records(self, changes: Mapping[str, str]) -> None:
        """Store what is stored under each old key of `changes` under its new key instead, in
        one transaction: events (their identifier lists, the keys they are found by, and the
        activity credited to their first key) and consent statements (each once), with the
        consent in force of every key involved decided again from its statements. For a
        rebuild under changed key rules, after `reset_derived`: no identifier of the graph
        holds activity or consent then, so no profile's sums need a recount."""
        ...

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

    # -- bulk reads, to carry a store's contents to another (migrate.py) ------------------
    def iter_events(self, batch_size: int = 1000) -> Iterator[list[Event]]:
        """Every stored event, in ID order, a batch at a time."""
        ...

    def list_cannot_links(self) -> list[CannotLink]:
        """Every cannot-link constraint, in ID order (stewards make them: they are few)."""
        ...

    def iter_consent_statements(self, batch_size: int = 1000) -> Iterator[list[ConsentStatement]]:
        """Every kept consent statement (not only the ones in force), a batch at a time, by
        identifier key and purpose (further order is the store's own)."""
        ...

    def count_consent_statements(self) -> int:
        """How many statements `iter_consent_statements` yields, without reading them: every
        kept statement, a later one for the same identifier and purpose counted beside the one
        it replaced (a resent statement is kept once). A migration compares it before and after."""
        ...

    def list_rejections(self, query: RejectionFilter) -> RejectionPage: ...

    def kept_rejections(self, fingerprints: Collection[str]) -> set[str]:
        """Which of these rejection fingerprints (`Rejection.fingerprint`) are kept: a rebuild
        asks which records it would reject were rejected already."""
        ...

    def merge_history(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        """Every merge whose survivor is one of `profile_ids` or was later absorbed into one,
        oldest first, merges at the same time in log order (a decision's first); profiles
        without merges are absent."""
        ...

    def list_review_items(self, query: ReviewFilter) -> ReviewPage:
        """Review items in the order they were opened (of `query.status`, and with an end among
        `query.touching` when given), naming the profiles that hold their identifiers now."""
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

    # -- steward decisions (issue 5) ----------------------------------------------------
    def profile_slice(self, profile_ids: Collection[str]) -> GraphSlice:
        """The given profiles (current IDs) as they stand: rows, members, the aliases that
        resolve to them, and every evidence row with an end among their identifiers."""
        ...

    def apply_steward_change(self, change: StewardChange) -> Decision:
        """Apply a steward decision (or its undo) and log it, in one transaction; returns the
        logged decision with what the store created for it. Conflict when `change.undoes`
        names a decision that is already undone."""
        ...

    def get_decisions(self, ids: Collection[str]) -> dict[str, Decision]:
        """Logged decisions by ID; unknown IDs are absent."""
        ...

    def list_decisions(self, after: int, limit: int) -> DecisionPage:
        """Up to `limit` logged decisions after log position `after`, oldest first. The log,
        must-links and cannot-links survive `reset_derived`."""
        ...

    # -- the index from identifier to logged observation (log_index.py) --------------------
    def log_index_position(self) -> int:
        """The log position up to which `index_log` has indexed the log (0: none)."""
        ...

    def index_log(self, rows: Sequence[tuple[str, int]], after_seq: int, through_seq: int) -> bool:
        """Record that the observation at each `(key, seq)` carried the identifier `key`, and
        that the log is indexed up to `through_seq`, in one transaction, for a page of the log
        read after position `after_seq`. Forgotten by `reset_derived`, which a rebuild follows
        by indexing each page it replays.
        Only rows past the position already indexed are written, and the position never goes
        back: a page read before another catch-up indexed it, and an erasure then pruned it,
        must not put the erased keys back. A page that would leave logged observations before
        it unindexed (a rebuild reset the index since the page was read) is not written:
        answers False, and the caller reads again from `log_index_position`."""
        ...

    def logged_observations_with(self, keys: Collection[str]) -> list[tuple[int, str]]:
        """(seq, payload) of the indexed observations carrying any of `keys`, oldest first."""
        ...

    # -- privacy ------------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> ErasureCounts:
        """Remove the profile and everything holding its identifiers, redact the observation
        log as `erasure.log` says (the erased keys leave the log index too), remember the
        removed observations and events (`erased_records`), and write `erasure.audit`, in one
        transaction (see domain/erasure.py for what goes)."""
        ...

    def records_mentioning(
        self, values: Collection[str], limit: int, page_rows: int = MENTION_PAGE_ROWS
    ) -> MentionPage:
        """The observations (by their attributes), events (by their properties) and steward
        decisions (by their snapshots' attributes, `snapshot_fields`) with a field mentioning
        one of `values` under the rule of domain/mentions.py (values shorter than
        `MIN_MENTION_LENGTH` are not looked for; case ignored for all of Unicode; a stored
        text's JSON escapes read as what they stand for): the first `limit`, observations in
        log order, then events by ID, then decisions in the order made, and how many there
        are. A scan of the log, the events and the decision log, `page_rows` records at a
        time, each page a read of its own (so no
        read meets the read timeout however long the log grows, and writers go on between
        them): a record logged while it runs is found when it comes after the page read last."""
        ...

    def logged_observation(self, observation_id: str) -> tuple[int, str] | None:
        """The log position and payload of the logged observation with this ID; None when
        none is logged."""
        ...

    def event_properties(self, event_id: str) -> str | None:
        """The properties (JSON text) of the stored event with this ID; None when none is."""
        ...

    def redact_observation(self, redaction: ObservationRedaction) -> None:
        """Replace the payload logged at `redaction.seq` (the log index stays: the record
        keeps its identifiers), write `redaction.profiles` (their golden attributes and
        candidates) and `redaction.audit`, in one transaction; NotFound when nothing is
        logged there."""
        ...

    def redact_event(self, redaction: EventRedaction) -> None:
        """Replace the stored event's properties, move what its credit counts (its revenue, in
        the activity of the identifier credited and of the profile holding it; segment
        conditions on its properties) and write `redaction.audit`, in one transaction;
        NotFound when no such event is stored."""
        ...

    def iter_erased_records(self, batch_size: int = 1000) -> Iterator[list[ErasedRecord]]:
        """Every erased record kept, by fingerprint, a batch at a time (for `datora migrate`)."""
        ...

    def add_erased_records(self, records: Sequence[ErasedRecord]) -> None:
        """Keep `records` (a fingerprint already kept is left as it is)."""
        ...

    # -- access control and the audit log (issue 5) -------------------------------------
    # Neither is derived from the observation log: `reset_derived` leaves both alone.
    def create_api_key(self, key: ApiKey, audit: Sequence[AuditEntry] = ()) -> None:
        """Store a new key (its hash, never its token, and its revocation if it has one) with
        `audit`, in one transaction; Conflict, storing nothing, when the name was ever used, so
        an audit entry naming a key names one key for good."""
        ...

    def list_api_keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, by name."""
        ...

    def api_key_by_hash(self, token_hash: str) -> ApiKey | None:
        """The key whose token hashes to `token_hash`, revoked or not; None when there is none."""
        ...

    def revoke_api_key(
        self, name: str, at: datetime, audit: Sequence[AuditEntry] = ()
    ) -> ApiKey | None:
        """Mark the named key revoked at `at` (a revoked key keeps its first time) and keep
        `audit`, in one transaction; the key as stored afterwards, or None (nothing written)
        when no key has that name."""
        ...

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Keep the entries; an entry whose ID is already stored is not written again."""
        ...

    def set_audit_details(self, audit_id: str, details: Mapping[str, object]) -> None:
        """Replace the details of the stored entry `audit_id` (nothing when there is none):
        for a fact known only after the entry's own transaction (what an erasure left in
        others' records, `records_mentioning`). Its time, actor, action and reason stay."""
        ...

    def list_audit(self, query: AuditFilter) -> AuditPage:
        """A page of entries, newest first (by time, then ID), matching every filter given;
        `profile_id` matches an entry naming it before or after the action."""
        ...
