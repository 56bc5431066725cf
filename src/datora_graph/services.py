"""Use cases: ingest, read, rebuild. The engine decides, the store persists, this module sequences.

>>> service = IdentityService(open_store(settings), settings)       # doctest: +SKIP
>>> report = service.ingest_observations([{"id": "o1", ...}])      # doctest: +SKIP
>>> report.accepted                                                 # doctest: +SKIP
1
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from datora_graph.config import Settings
from datora_graph.domain.audit import SYSTEM_ACTOR, merge_audit_entries
from datora_graph.domain.changeset import Changeset, Snapshot
from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry
from datora_graph.domain.key_rules import key_rules
from datora_graph.domain.profiles import (
    GoldenProfile,
    JourneyPage,
    JourneyQuery,
    RejectionFilter,
    RejectionPage,
    StoreStats,
)
from datora_graph.domain.records import (
    Event,
    Observation,
    RecordKind,
    Rejection,
    item_id_of,
    parse_event,
    parse_observation,
)
from datora_graph.log_index import LogIndex, graph_key_rules
from datora_graph.record_keys import rekey_stored_records
from datora_graph.replay_check import check_replay, reparse
from datora_graph.resolution.answered_items import answered_by_merges
from datora_graph.resolution.engine import ResolutionEngine
from datora_graph.resolution.guards import quarantined_at_a_link
from datora_graph.store.base import GraphStore

_Record = TypeVar("_Record", Observation, Event)
ItemStatus = Literal["accepted", "duplicate", "rejected"]

MAX_STREAM_PROBLEMS = 1000
ERASED_REASON = (
    "received before and since erased at a privacy request; not taken again, nothing changed "
    "(stop sending it at the source)"
)
Progress = Callable[[int], None]
"""Called with how many more items were processed."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The fate of one item of a batch, in the order the client sent them."""

    index: int
    id: str | None
    status: ItemStatus
    field: str | None = None
    reason: str | None = None


@dataclass(slots=True)
class IngestReport:
    """Counts of what happened to a batch, and the per-item results.

    For a batch every item has a result; for a stream (`ingest_stream`) only the first
    `MAX_STREAM_PROBLEMS` items that were not accepted do, so a file of millions of records
    does not hold millions of results. The counts always cover every item."""

    results: list[ItemResult] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0

    @classmethod
    def of(cls, results: list[ItemResult]) -> IngestReport:
        report = cls(results)
        for result in results:
            report._count(result.status)
        return report

    def _count(self, status: ItemStatus) -> None:
        if status == "accepted":
            self.accepted += 1
        elif status == "duplicate":
            self.duplicates += 1
        else:
            self.rejected += 1

    def fold(self, batch: IngestReport, offset: int) -> None:
        """Add a batch's counts, and its problems while there is room, renumbered by `offset`."""
        self.accepted += batch.accepted
        self.duplicates += batch.duplicates
        self.rejected += batch.rejected
        room = MAX_STREAM_PROBLEMS - len(self.results)
        problems = (r for r in batch.results if r.status != "accepted")
        for result in itertools.islice(problems, max(room, 0)):
            self.results.append(replace(result, index=result.index + offset))

    @property
    def total(self) -> int:
        return self.accepted + self.duplicates + self.rejected


@dataclass(slots=True)
class ParsedItems(Generic[_Record]):
    """A batch after parsing, before anything is stored: the records that parsed, each with
    its index in the batch, and a result and a rejection record for every item that did not.
    Parsing needs nothing but the registry, so another process may do it (see `bulk.py`)."""

    count: int
    records: list[tuple[int, _Record]] = field(default_factory=list)
    results: dict[int, ItemResult] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)


def parse_items(
    items: Iterable[object],
    kind: RecordKind,
    registry: IdentifierRegistry,
    texts: Sequence[str | None] | None = None,
    *,
    latest: datetime | None = None,
) -> ParsedItems[Any]:
    """Parse a batch of wire items of `kind`: pure, so any process may do it. `texts[i]`,
    where given, is the JSON text item `i` was read from: the log keeps it as sent. `latest`
    is the latest time an item may carry (`Settings.latest_accepted_time`)."""
    now = datetime.now(UTC)
    batch: ParsedItems[Any] = ParsedItems(0)
    for index, raw in enumerate(items):
        batch.count += 1
        try:
            if kind == "observation":
                text = texts[index] if texts is not None else None
                batch.records.append((index, parse_observation(raw, registry, text, latest=latest)))
            else:
                batch.records.append((index, parse_event(raw, registry, latest=latest)))
        except InvalidInput as error:
            item_id = item_id_of(raw)
            batch.results[index] = ItemResult(index, item_id, "rejected", error.field, error.reason)
            payload = json.dumps(raw, sort_keys=True, default=str)
            batch.rejections.append(
                Rejection(kind, item_id, error.field, error.reason, payload, now)
            )
    return batch


@dataclass(frozen=True, slots=True)
class RebuildReport:
    observations: int
    profiles: int
    rejected: int
    """The logged records the current settings reject, those rejected before included."""
    decisions_reapplied: int = 0
    decisions_skipped: tuple[str, ...] = ()
    """Each steward decision that no longer applies, with why (`steward_replay`)."""
    records_rekeyed: int = 0
    """Identifier keys of stored events and consent statements that changed with the key
    rules (`record_keys.py`): 0 unless the identifier settings changed since the last one."""


def fold_reports(reports: Iterable[IngestReport], progress: Progress | None) -> IngestReport:
    """One report for a stream of batch reports, renumbering items across batches."""
    total = IngestReport()
    offset = 0
    for report in reports:
        total.fold(report, offset)
        offset += report.total
        if progress is not None:
            progress(report.total)
    return total


@dataclass(frozen=True, slots=True)
class GuardPositions:
    """Where the guards stand on some identifiers, by log position."""

    quarantined: dict[str, int]
    """Each quarantined one with the position it was quarantined at (0: not known): the
    engine anchors no attributes at it from there on, which a split and an erasure need to
    know to find where a record's attributes went."""
    joined: dict[str, tuple[int, ...]]
    """Each with joins counted towards the hub bound, with the positions of the first ones."""
    at_links: frozenset[str] = frozenset()
    """The quarantined ones a held link quarantined (`quarantined_at_a_link`), not the name
    check before the record linked: a replay must quarantine them at that link again."""


def guard_positions(store: GraphStore, keys: Collection[str]) -> GuardPositions:
    guards = store.load_snapshot(keys).identifier_guards
    quarantined = {key: state for key, state in guards.items() if state.quarantined}
    return GuardPositions(
        {key: state.quarantined_seq for key, state in quarantined.items()},
        {key: state.join_seqs for key, state in guards.items() if state.join_seqs},
        frozenset(k for k, state in quarantined.items() if quarantined_at_a_link(state.reason)),
    )


def _batches(items: Iterable[object], size: int) -> Iterator[list[object]]:
    batch: list[object] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def answer_stored_items(store: GraphStore, snapshot: Snapshot, changeset: Changeset) -> Changeset:
    """`changeset` (resolved against `snapshot`) answering too the stored open review items
    whose two ends its merges put in one profile (`answered_by_merges`; the engine answers the
    items the batch opened itself). The items are read only when the batch merged stored
    profiles, and only between those: reading them with every snapshot cost ingest a tenth."""
    merged = {p for merge in changeset.merges for p in (merge.absorbed, merge.survivor)}
    stored = merged.intersection(snapshot.profiles)
    if len(stored) < 2:
        return changeset
    answered = {(a.a, a.b): a for a in changeset.answered}
    for answer in answered_by_merges(changeset.merges, store.open_review_items_between(stored)):
        answered.setdefault((answer.a, answer.b), answer)
    return replace(changeset, answered=list(answered.values()))


class IdentityService:
    """The identity core's use cases over one store. Safe to share between threads: writes are
    serialised by a lock, because resolving a batch reads the components it then rewrites."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.registry: IdentifierRegistry = settings.identifier_registry()
        self.engine = ResolutionEngine(
            self.registry, settings.survivorship_rules(), settings.guard_settings()
        )
        self._write_lock = store.writer_lock()
        self.dormant: set[int] = set()
        """Cannot-link constraints resolution ignores: during a rebuild, those whose decision
        the replay has not reached (shared with the steward changes re-applying them)."""
        self._key_rules_recorded = False

    # -- ingest ---------------------------------------------------------------------------
    def ingest_observations(
        self, items: Sequence[object], actor: str = SYSTEM_ACTOR
    ) -> IngestReport:
        """Parse, deduplicate and resolve a batch; every item gets a result, none is dropped.
        The merges it makes are audited as `actor`'s (the calling key, the CLI user)."""
        batch = parse_items(
            items, "observation", self.registry, latest=self.settings.latest_accepted_time()
        )
        return self.ingest_parsed_observations(batch, actor)

    def ingest_parsed_observations(
        self, batch: ParsedItems[Observation], actor: str = SYSTEM_ACTOR, *, audit: bool = True
    ) -> IngestReport:
        """Deduplicate and resolve a parsed batch, and commit it in one transaction. `audit`:
        record its merges in the audit log (a migration carries the source's entries instead,
        as a rebuild keeps the log's)."""
        results = dict(batch.results)
        with self._write_lock:
            fresh = self._drop_duplicates("observation", batch.records, results)
            if fresh and not self._key_rules_recorded:
                self._record_key_rules()
            start = self.store.last_sequence()
            observations = [o.with_seq(start + n) for n, o in enumerate(fresh, start=1)]
            changeset = self._resolve(observations)
            changeset.rejections = batch.rejections
            changeset.audit = merge_audit_entries(changeset.merges, actor) if audit else []
            changeset.consent = [statement for o in fresh for statement in o.consent]
            if not changeset.is_empty():
                self.store.commit(changeset)
        return IngestReport.of([results[i] for i in range(batch.count)])

    def ingest_events(self, items: Sequence[object], actor: str = SYSTEM_ACTOR) -> IngestReport:
        batch: ParsedItems[Event] = parse_items(
            items, "event", self.registry, latest=self.settings.latest_accepted_time()
        )
        results = dict(batch.results)
        with self._write_lock:
            fresh = self._drop_duplicates("event", batch.records, results)
            changeset = Changeset(events=fresh, rejections=batch.rejections)
            if not changeset.is_empty():
                self.store.commit(changeset)
        return IngestReport.of([results[i] for i in range(batch.count)])

    def ingest_stream(
        self,
        kind: RecordKind,
        items: Iterable[object],
        progress: Progress | None = None,
        actor: str = SYSTEM_ACTOR,
    ) -> IngestReport:
        """Ingest any number of items in batches of `ingest_batch_size`; each batch commits
        on its own, so an interrupted run resumes by sending the same items again."""
        ingest = self.ingest_observations if kind == "observation" else self.ingest_events
        return fold_reports(
            (ingest(batch, actor) for batch in _batches(items, self.settings.ingest_batch_size)),
            progress,
        )

    def ingest_parsed_stream(
        self,
        batches: Iterable[ParsedItems[Observation]],
        progress: Progress | None = None,
        actor: str = SYSTEM_ACTOR,
    ) -> IngestReport:
        """`ingest_stream` for observations parsed elsewhere, batch by batch."""
        return fold_reports((self.ingest_parsed_observations(b, actor) for b in batches), progress)

    def _drop_duplicates(
        self, kind: RecordKind, parsed: list[tuple[int, _Record]], results: dict[int, ItemResult]
    ) -> list[_Record]:
        """The records not received before, in order; the others are answered `duplicate`,
        those an erasure removed saying so (the source should stop sending them)."""
        ids = [item.id for _, item in parsed]
        known = (
            self.store.known_observation_ids(ids)
            if kind == "observation"
            else self.store.known_event_ids(ids)
        )
        erased = self.store.erased_ids(kind, [i for i in ids if i not in known])
        fresh: list[_Record] = []
        seen: set[str] = set()
        for index, item in parsed:
            if item.id in erased:
                results[index] = ItemResult(index, item.id, "duplicate", "id", ERASED_REASON)
                continue
            if item.id in known or item.id in seen:
                results[index] = ItemResult(
                    index, item.id, "duplicate", "id", "already received; nothing changed"
                )
                continue
            seen.add(item.id)
            fresh.append(item)
            results[index] = ItemResult(index, item.id, "accepted")
        return fresh

    def _record_key_rules(self) -> None:
        """Record the key rules the graph is made under, if none are yet (the first ingest
        into a store): an erasure under other settings is then refused (log_index.py). Asked
        once per service: once recorded, only a rebuild changes them."""
        graph_key_rules(self.store, key_rules(self.registry))
        self._key_rules_recorded = True

    def _resolve(self, observations: Sequence[Observation]) -> Changeset:
        if not observations:
            return Changeset()
        keys = {i.key for o in observations for i in o.identifiers}
        # An item a record keeps as answered by it names ends it may not carry.
        keys.update(k for o in observations for item in o.answers for k in (item.a, item.b))
        snapshot = self.store.load_snapshot(keys) if keys else Snapshot.empty()
        changeset = self.engine.resolve(observations, snapshot.without_constraints(self.dormant))
        return answer_stored_items(self.store, snapshot, changeset)

    # -- rebuild --------------------------------------------------------------------------
    def rebuild(
        self,
        progress: Progress | None = None,
        *,
        allow_rejections: bool = False,
        checked: Progress | None = None,
    ) -> RebuildReport:
        """Forget the derived graph and replay the observation log in order, re-applying each
        steward decision at the log position it was made at (see `steward_replay`).

        The replay commits batch by batch, so first the whole log is parsed under the current
        settings (`check_replay`, reporting to `checked`): if that would reject records the
        graph holds now, `RebuildWouldReject` is raised and nothing is changed, unless
        `allow_rejections`. The rejections an earlier replay made are forgotten and made again
        only for the records still invalid."""
        # Imported here because the steward layer is built on this one.
        from datora_graph.steward_replay import DecisionReplay, RebuildDecisions, log_pages
        from datora_graph.steward_service import StewardService

        replayed = rejected = 0
        batch = self.settings.ingest_batch_size
        with self._write_lock:
            if not allow_rejections:
                check = check_replay(self.store, self.registry, batch, checked)
                if check.rejected:
                    raise check.refusal()
            graph_rules, rules = self.store.key_rules(), key_rules(self.registry)
            self.store.reset_derived()  # the log index too: its keys are made again, below
            # Recorded once the stored records are keyed by them: a rebuild cut short before
            # keys them again when run again.
            rekeyed = rekey_stored_records(self.store, self.registry) if graph_rules != rules else 0
            self.store.record_key_rules(rules)
            index = LogIndex(self.store, self.registry)
            stewards = StewardService(self)
            replay = DecisionReplay(stewards)
            decisions = RebuildDecisions(replay)
            # The constraints a decision made hold only from its position on, as they did live.
            self.dormant = stewards.changes.dormant = decisions.dormant()
            try:
                for entries in log_pages(self.store, batch, decisions):
                    observations, rejections = reparse(entries, self.registry)
                    changeset = self._resolve(observations)
                    changeset.observations = []
                    changeset.rejections = rejections
                    self.store.commit(changeset)
                    index.index_page(entries)
                    replayed += len(observations)
                    rejected += len(rejections)
                    if progress is not None:
                        progress(len(entries))
                decisions.finish()
            finally:
                self.dormant = stewards.changes.dormant = set()
            self.store.finish_rebuild()
        applied = replay.report()
        return RebuildReport(
            replayed,
            self.store.stats().profiles,
            rejected,
            applied.reapplied,
            tuple(applied.skipped),
            rekeyed,
        )

    # -- reads ----------------------------------------------------------------------------
    def get_profile(self, profile_id: str) -> GoldenProfile:
        """A profile by its ID or by any ID it absorbed."""
        current = self.store.resolve_profile_ids([profile_id]).get(profile_id)
        profile = self.store.get_profiles([current]).get(current) if current else None
        if profile is None:
            raise NotFound(f"no profile has the ID {profile_id!r}")
        return profile

    def find_profile(self, type_name: str, value: str) -> GoldenProfile:
        """The profile holding an identifier, given as the client would write it."""
        identifier = self.registry.parse_with_junk(type_name, value, field="identifier").identifier
        profile_id = self.store.profile_ids_for_identifiers([identifier.key]).get(identifier.key)
        if profile_id is None:
            raise NotFound(f"no profile holds the identifier {identifier.key!r}")
        return self.get_profile(profile_id)

    def lookup(self, reference: str) -> GoldenProfile:
        """`reference` is a profile ID, or an identifier written `type:value`."""
        type_name, sep, value = reference.partition(":")
        if sep and type_name in self.registry.types:
            return self.find_profile(type_name, value)
        try:
            return self.get_profile(reference)
        except NotFound:
            raise NotFound(self.unknown_reference(reference)) from None

    def unknown_reference(self, reference: str) -> str:
        """Why `reference` names no profile; one that looks like `type:value` is told that its
        type is unknown too, since a mistyped type (`emial:ann@acme.io`) is the likelier slip,
        and a bare value other than a profile ID how to write an identifier (`bo@mail.com`)."""
        type_name, sep, _ = reference.partition(":")
        if not sep and not reference.startswith("prf_"):
            return (
                f"no profile has the ID {reference!r}; an identifier is written type:value, "
                f"such as email:ann@acme.io"
            )
        if not sep:
            return f"no profile has the ID {reference!r}"
        known = ", ".join(sorted(self.registry.types))
        return (
            f"no profile has the ID {reference!r}, and {type_name!r} is not an identifier type "
            f"(known: {known})"
        )

    def parse_identifier_reference(self, reference: str) -> Identifier:
        type_name, sep, value = reference.partition(":")
        if not sep:
            raise InvalidInput("identifier", f"{reference!r} is not of the form type:value")
        return self.registry.parse_with_junk(type_name, value, field="identifier").identifier

    def journey(self, profile_id: str, query: JourneyQuery) -> JourneyPage:
        profile = self.get_profile(profile_id)
        return self.store.journey(profile.id, query)

    def rejections(self, query: RejectionFilter) -> RejectionPage:
        return self.store.list_rejections(query)

    def export_profiles(self, batch_size: int = 1000) -> Iterator[GoldenProfile]:
        for batch in self.store.iter_profiles(batch_size):
            yield from batch

    def stats(self) -> StoreStats:
        return self.store.stats()
