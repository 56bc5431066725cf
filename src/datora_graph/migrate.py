"""Carry everything a store holds to another store (`datora migrate --to neo4j|sqlite`).

The observation log is the source of truth, so the graph is not copied: the log is replayed
through the target's own `IdentityService`, in log order, in batches, exactly as a rebuild
replays it; profile IDs are derived from the observation and identifier that founded them, so
the profiles come out the same. What is not derived from the log is copied as it is: the
cannot-link constraints (first, so the replay honours them, as a rebuild does), the
fingerprints of erased records (before the log, so a resent erased record stays refused), events,
consent statements, segments, rejected items, the steward decision log (the decisions in
force are then applied again, as a rebuild does), API keys and the audit log. At the end
the two stores' profiles are compared profile by profile (ID, identifiers, golden
attributes), both read in ID order (`migrate_verify`), telling apart the differences the
records rejected on replay explain.

Like a rebuild, a migration first checks that the target's settings accept every logged record
the source's graph holds (`check_log`, which `run` calls unless told it was done): one they
reject is otherwise left out of its profile in the target. When that is allowed, each record
the target's settings reject is still written to the target's log, resolving nothing, and kept
there as rejected, exactly as a rebuild leaves it: a rebuild of the target under settings that
accept it brings it back.

    >>> report = Migration(source, target, settings).run()    # doctest: +SKIP
    >>> report.matches                                          # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, TypeVar, get_args

from datora_graph.config import Settings
from datora_graph.domain.changeset import Changeset
from datora_graph.domain.errors import Conflict, InvalidInput
from datora_graph.domain.profiles import RejectionFilter
from datora_graph.domain.records import (
    REPLAY_REJECTION_PREFIX,
    Observation,
    parse_logged_observation,
    replay_rejection,
)
from datora_graph.migrate_log import kept_in_log
from datora_graph.migrate_source import changes, newest_audit_entry, read_marks
from datora_graph.migrate_steward import DecisionCarry, carry_api_keys, carry_audit
from datora_graph.migrate_verify import RejectedOnReplay, Verification, verify
from datora_graph.replay_check import check_replay
from datora_graph.services import IdentityService, ParsedItems
from datora_graph.steward_replay import log_pages
from datora_graph.store.base import GraphStore

Stage = Literal[
    "decisions",
    "cannot-links",
    "erasures",
    "observations",
    "events",
    "consent",
    "segments",
    "rejections",
    "api-keys",
    "audit",
]
STAGES: tuple[Stage, ...] = get_args(Stage)
"""The stages in the order a migration runs them."""
Progress = Callable[[Stage, int], None]
"""Called with a stage and how many more of its items were carried."""
_Item = TypeVar("_Item")


@dataclass(slots=True)
class MigrationReport:
    observations: int = 0
    """Observations replayed into the target (the log entries it did not have)."""
    rejected_on_replay: int = 0
    """Log entries the target's settings refuse: in its log, resolving nothing, and kept there
    as rejected items (only when the migration was allowed to reject them)."""
    events: int = 0
    cannot_links: int = 0
    consent_statements: int = 0
    segments: int = 0
    rejections: int = 0
    erased_records: int = 0
    """Fingerprints of erased observations and events carried (one the target held is left)."""
    source_observations: int = 0
    source_events: int = 0
    steward_decisions: int = 0
    """Source decisions written to the target's log (undone ones and undos included; those
    the target had already are not counted)."""
    decisions_reapplied: int = 0
    """Decisions in force applied again to the replayed graph in the target."""
    decisions_skipped: list[str] = field(default_factory=list)
    """Decisions in force that no longer apply in the target, each with why."""
    api_keys: int = 0
    audit_entries: int = 0
    verification: Verification = field(default_factory=Verification)
    source_changed: list[str] = field(default_factory=list)
    """What was written into the source while the migration ran, beside its writer lock
    (`migrate_source.changes`): the target may lack it."""

    @property
    def matches(self) -> bool:
        """The profiles agree and the target holds all the source held when it ended."""
        return self.verification.matches and not self.source_changed


class Migration:
    """One migration from `source` into `target`; `settings` are the target's (its
    identifier types, guards and survivorship rules resolve the replayed log)."""

    def __init__(
        self, source: GraphStore, target: GraphStore, settings: Settings, batch_size: int = 1000
    ) -> None:
        self.source = source
        self.target = target
        self.service = IdentityService(target, settings)
        self.batch_size = max(1, batch_size)

    def totals(self) -> dict[Stage, int | None]:
        """How many items each stage will carry, where the source can tell cheaply."""
        stats = self.source.stats()
        return {
            "cannot-links": None,
            "erasures": None,
            "observations": stats.observations,
            "events": stats.events,
            "consent": None,
            "segments": len(self.source.list_segments()),
            "rejections": stats.rejections,
            "decisions": None,
            "api-keys": None,
            "audit": None,
        }

    def target_holds(self) -> list[str]:
        """What the target holds already, in words; empty for an empty store."""
        stats = self.target.stats()
        held = [
            f"{stats.observations:,} observations" if stats.observations else "",
            f"{stats.events:,} events" if stats.events else "",
            f"{stats.profiles:,} profiles" if stats.profiles else "",
            f"{stats.rejections:,} rejected items" if stats.rejections else "",
        ]
        segments = len(self.target.list_segments())
        held.append(f"{segments:,} segments" if segments else "")
        return [text for text in held if text]

    def check_target(self, into_nonempty: bool = False) -> None:
        """Conflict, naming what it holds, when the target is not empty and `into_nonempty`
        is not given."""
        held = self.target_holds()
        if held and not into_nonempty:
            raise Conflict(
                f"the target store is not empty (it holds {', '.join(held)}); migrate into an "
                "empty store, or pass --into-nonempty to add to it (observations and events it "
                "already has are skipped)"
            )

    def run(
        self,
        into_nonempty: bool = False,
        progress: Progress | None = None,
        *,
        allow_rejections: bool = False,
        log_checked: bool = False,
    ) -> MigrationReport:
        """Carry everything, then verify. A non-empty target is refused (Conflict) unless
        `into_nonempty`: what it already has is then skipped by ID, and its own profiles are
        reported as extra. Steward decisions are logged in the target and those in force
        applied again to the replayed graph, as a rebuild does (see `migrate_steward.py`).

        Before writing anything, `check_log` refuses (MigrationWouldReject) a log the target's
        settings would reject records of, unless `allow_rejections`; `log_checked` says the
        caller ran it already (the CLI does, before it opens the target at all). Then the
        target's writer lock is held to the end, verification included: ingest and steward
        changes into the target (`datora serve`, another `datora ingest`) wait for it. So do
        those into the source, whose writer lock is held too: the target is the source as of
        one moment, and what was written into the source beside its lock meanwhile is named
        in `source_changed` (see `migrate_source.py`)."""
        if not allow_rejections and not log_checked:
            check_log(self.source, self.service.settings, self.batch_size)
        # The target's writer lock, held throughout as a rebuild holds it: a steward decision
        # re-applied from a profile read, or the log position it is placed at, would otherwise
        # be computed before a concurrent ingest changed them (an identifier that ingest linked
        # would be left with an absorbed profile), and an empty target could fill after the
        # check. Other writers into the target wait; the service takes it again per batch.
        # The source's lock keeps its log, events and decisions as they were when the stages
        # read them; a migration from a store into itself is refused before (not empty).
        with self.source.writer_lock(), self.target.writer_lock():
            self.check_target(into_nonempty)
            return self._carry(progress or (lambda _stage, _count: None))

    def _carry(self, advance: Progress) -> MigrationReport:
        """Every stage in order, then the verification; the target's writer lock is held."""
        # The target counts activity under its own trait settings from the first event it
        # takes, as a service opening it would have it: else that first open would recount
        # every profile, and until then traits and segments would use another's scores.
        self.target.configure_traits(self.service.settings.trait_settings())
        marks = read_marks(self.source)
        report = MigrationReport(source_observations=marks.observations, source_events=marks.events)
        decisions = DecisionCarry(self.source, self.service)
        rejected = RejectedOnReplay(self.service.registry)
        report.cannot_links = self._cannot_links(advance, decisions.made_constraints())
        report.erased_records = self._erased_records(advance)
        self._observations(report, advance, decisions, rejected)
        reapplied = decisions.finish()
        report.steward_decisions = decisions.logged
        report.decisions_reapplied = reapplied.reapplied
        report.decisions_skipped = list(reapplied.skipped)
        advance("decisions", decisions.logged)
        report.events = self._events(advance)
        report.consent_statements = self._consent(advance)
        report.segments = self._segments(advance)
        report.rejections = self._rejections(advance)
        report.api_keys = carry_api_keys(self.source, self.target)
        advance("api-keys", report.api_keys)
        marks = replace(marks, newest_audit_entry=newest_audit_entry(self.source))
        report.audit_entries = carry_audit(self.source, self.target, lambda n: advance("audit", n))
        report.verification = verify(self.source, self.target, self.batch_size, rejected)
        report.source_changed = changes(marks, read_marks(self.source))
        return report

    # -- stages -------------------------------------------------------------------------------
    def _cannot_links(self, advance: Progress, made_by_decisions: set[int]) -> int:
        """The constraints no decision made (a decision's are written with it)."""
        constraints = [c for c in self.source.list_cannot_links() if c.id not in made_by_decisions]
        for constraint in constraints:
            self.target.add_cannot_link(
                constraint.a, constraint.b, constraint.reason, constraint.created_at
            )
            advance("cannot-links", 1)
        return len(constraints)

    def _erased_records(self, advance: Progress) -> int:
        batches = self.source.iter_erased_records(self.batch_size)
        return _copy(batches, self.target.add_erased_records, "erasures", advance)

    def _observations(
        self,
        report: MigrationReport,
        advance: Progress,
        decisions: DecisionCarry,
        rejected: RejectedOnReplay,
    ) -> None:
        """The log, in order, with each steward decision written where the source made it;
        the records the target's settings reject are noted in `rejected`, but those the
        source's graph does not hold either (an earlier rebuild of it rejected them)."""
        for entries in log_pages(self.source, self.batch_size, decisions):
            batch, log_only = _parsed(entries, self.service)
            # The source's audit log is carried whole (carry_audit): recording the replay's
            # merges too would show each of them twice, at the migration's time.
            logged = self.target.last_sequence()
            result = self.service.ingest_parsed_observations(batch, audit=False)
            decisions.carried(entries, logged, self.target.last_sequence() - logged)
            report.observations += sum(
                1 for r in result.results if r.status == "accepted" and r.index not in log_only
            )
            report.rejected_on_replay += len(log_only)
            if batch.rejections:
                kept = self.source.kept_rejections([r.fingerprint for r in batch.rejections])
                for rejection in batch.rejections:
                    if rejection.fingerprint not in kept:
                        rejected.add(rejection.payload)
            advance("observations", len(entries))

    def _events(self, advance: Progress) -> int:
        carried = 0
        for batch in self.source.iter_events(self.batch_size):
            known = self.target.known_event_ids([e.id for e in batch])
            fresh = [e for e in batch if e.id not in known]
            if fresh:
                self.target.commit(Changeset(events=fresh))
            carried += len(fresh)
            advance("events", len(batch))
        return carried

    def _consent(self, advance: Progress) -> int:
        batches = self.source.iter_consent_statements(self.batch_size)
        return _copy(batches, self.target.record_consent, "consent", advance)

    def _segments(self, advance: Progress) -> int:
        carried = 0
        for segment in self.source.list_segments():
            if self.target.segment_by_name(segment.name) is None:
                self.target.create_segment(segment)
                carried += 1
            advance("segments", 1)
        return carried

    def _rejections(self, advance: Progress) -> int:
        """The items rejected when they were sent. Those a replay of the source's log rejected
        are derived from it, as the target's replay made its own (only where the target's
        settings reject them too), so they are not copied."""
        after, carried = 0, 0
        while True:
            page = self.source.list_rejections(RejectionFilter(None, after, self.batch_size))
            if not page.items:
                return carried
            sent = [r for _, r in page.items if not r.reason.startswith(REPLAY_REJECTION_PREFIX)]
            if sent:
                self.target.commit(Changeset(rejections=sent))
            carried += len(sent)
            advance("rejections", len(page.items))
            if page.next_after is None:
                return carried
            after = page.next_after


def _copy(
    batches: Iterable[list[_Item]],
    add: Callable[[list[_Item]], object],
    stage: Stage,
    advance: Progress,
) -> int:
    """Add each batch to the target as it is; how many items were carried."""
    carried = 0
    for batch in batches:
        add(batch)
        carried += len(batch)
        advance(stage, len(batch))
    return carried


def check_log(
    source: GraphStore,
    settings: Settings,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """MigrationWouldReject, naming how many and the first few, when a replay of the source's
    log under the target's `settings` would reject records the source's graph holds; it
    reads the whole log (`replay_check`), reporting each page to `progress`, and writes
    nothing, so it needs no target."""
    check = check_replay(source, settings.identifier_registry(), max(1, batch_size), progress)
    if check.rejected:
        raise check.refusal("migration")


def _parsed(
    entries: Sequence[tuple[int, str]], service: IdentityService
) -> tuple[ParsedItems[Observation], set[int]]:
    """Log entries as a parsed batch, each keeping the payload exactly as it was logged, and
    the batch indexes of those the target's settings reject: each is in the batch as an entry
    for the target's log only (`kept_in_log`), beside its rejection."""
    batch: ParsedItems[Observation] = ParsedItems(len(entries))
    log_only: set[int] = set()
    now = datetime.now(UTC)
    for index, (seq, payload) in enumerate(entries):
        try:
            batch.records.append((index, parse_logged_observation(payload, service.registry, seq)))
        except InvalidInput as error:
            batch.records.append((index, kept_in_log(payload)))
            batch.rejections.append(replay_rejection(payload, error, "target's", now))
            log_only.add(index)
    return batch, log_only
