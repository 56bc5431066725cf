"""What a migration carries beside the observation log: steward decisions, API keys and the
audit log. None of it is derived from the log, so it is copied, not replayed.

Decisions are written into the target's decision log in their order, each at the point of the
target's log where the source made it (`DecisionCarry`, driven by the migration's replay of the
log): a decision in force is applied there, with the constraints it created (written in the
target, so an undo there removes the target's own rows), and records the target's log
position, so the target's guards see what the source's saw and a later rebuild of the target
places it alike. Decisions recorded without a position, and those after them, are applied
once the whole log is carried, as a rebuild does. The creations of the profiles a decision
saw (`before`, which a split's part keeping the profile's ID keeps, and an undo writes back)
are source log positions too, and are written as the target's (`carried`): the target's log
has no gaps where an erasure removed records, so a source position names a later record
there, and a later merge's survivor (larger, then older) would turn on it.

    >>> carry = DecisionCarry(source, target_service)              # doctest: +SKIP
    >>> carry.next_stop()                                           # doctest: +SKIP
    12
"""

from __future__ import annotations

import bisect
import collections
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.erasure_decisions import stands_in
from datora_graph.domain.errors import Conflict
from datora_graph.domain.profiles import MAX_PAGE_SIZE
from datora_graph.domain.steward import Decision, GraphSlice, KeyPair, StewardChange
from datora_graph.services import IdentityService
from datora_graph.steward_log import decision_pages
from datora_graph.steward_placement import LOG_POSITION, merged_back, placements, replayed
from datora_graph.steward_replay import DecisionReplay, ReapplyReport
from datora_graph.steward_service import StewardService
from datora_graph.store.base import GraphStore

DECISION_PAGE = 500
Advance = Callable[[int], None]


class DecisionCarry:
    """The source's decisions the target lacks, written into it as the log is carried."""

    def __init__(self, source: GraphStore, target: IdentityService) -> None:
        self.target = target.store
        self.replay = DecisionReplay(StewardService(target))
        self.cannot_links = {
            c.id: KeyPair.of(c.a, c.b, c.reason) for c in source.list_cannot_links()
        }
        self.pending: collections.deque[tuple[int | None, Decision]] = collections.deque()
        fresh: list[Decision] = []
        for page in decision_pages(source, DECISION_PAGE):
            known = self.target.get_decisions([d.id for d in page])
            fresh.extend(d for d in page if d.id not in known)
        self.replay.merged_back = merged_back(fresh)
        self.creations = _Creations(p.created_seq for d in fresh for p in d.before.profiles)
        self.pending.extend(placements(fresh, self.replay.merged_back))
        self.deferred: list[Decision] = []
        self.logged = 0

    def made_constraints(self) -> set[int]:
        """The source's cannot-links these decisions made: they are written with them."""
        return {c for _, d in self.pending for c in d.created.get("cannot_link", ())}

    def next_stop(self) -> int | None:
        """The source log position at which the next decision is to be written, after writing
        those that wait for no position (undos, undone decisions, and every decision once one
        without a position came); None when none is left to place."""
        while self.pending:
            position, _ = self.pending[0]
            if position is not None:
                return position
            self._write(self.pending.popleft()[1], apply=False)
        return None

    def take_next(self) -> None:
        """Write and apply the decision `next_stop` named: the log is carried up to it."""
        self._write(self.pending.popleft()[1], apply=True)

    def finish(self) -> ReapplyReport:
        """Write what is left, apply the decisions that waited for the end of the log, and
        answer what was applied and skipped."""
        while self.next_stop() is not None:
            self.take_next()
        for decision in self.deferred:
            self.replay.apply(decision)
        return self.replay.report()

    def carried(self, entries: Sequence[tuple[int, str]], after: int, logged: int) -> None:
        """`logged` of the source's log `entries` were just logged in the target, in order,
        after its position `after` (`_Creations.carried`)."""
        self.creations.carried(entries, after, logged)

    def _write(self, decision: Decision, *, apply: bool) -> None:
        position = self.target.last_sequence() if apply else None
        before = self.creations.translated(decision.before)
        entry = _log_entry(replace(decision, before=before), self.cannot_links, position)
        stored = self.target.apply_steward_change(entry)
        self.logged += 1
        if apply:
            self.replay.apply(stored, position)
        elif replayed(decision, self.replay.merged_back):
            self.deferred.append(stored)


class _Creations:
    """The target's log positions of the source positions at which the decisions' profiles
    were created. A position whose record an erasure removed is given the target position of
    the record before it: the target's numbering has no room between them."""

    def __init__(self, wanted: Iterable[int]) -> None:
        self.wanted = sorted(set(wanted))
        self.found: dict[int, int] = {}
        self.seen = 0
        """The last source position carried."""

    def carried(self, entries: Sequence[tuple[int, str]], after: int, logged: int) -> None:
        """`logged` of the source's `entries` were just logged in the target after its
        position `after`; when not all were (the target had some), their positions are
        unknown and the creations among them stay as the source has them."""
        if not entries:
            return
        low = bisect.bisect_right(self.wanted, self.seen)
        if logged == len(entries) and low < len(self.wanted) and self.wanted[low] <= entries[-1][0]:
            target = after
            for seq, _ in entries:
                for wanted in self.wanted[low : bisect.bisect_right(self.wanted, seq)]:
                    self.found[wanted] = target + 1 if wanted == seq else target
                low = bisect.bisect_right(self.wanted, seq)
                target += 1
        self.seen = entries[-1][0]

    def translated(self, before: GraphSlice) -> GraphSlice:
        profiles = tuple(
            replace(p, created_seq=self.found.get(p.created_seq, p.created_seq))
            for p in before.profiles
        )
        return replace(before, profiles=profiles)


def _log_entry(
    decision: Decision, cannot_links: dict[int, KeyPair], position: int | None
) -> StewardChange:
    """A change that writes nothing to the graph but the decision's log entry and, for a
    decision in force, the constraints it created (the target numbers them itself). An undone
    decision's constraints are gone from the source and are not written. `position` is the
    target's log position it is applied at (the source's would name another record there);
    None: none, and a rebuild of the target applies it after the whole log."""
    details = {k: v for k, v in decision.details.items() if k != LOG_POSITION}
    if position is not None:
        details[LOG_POSITION] = position
    entry = replace(decision, undone_by=None, seq=0, details=details)
    if decision.kind == "undo":
        return StewardChange(entry, GraphSlice(), undoes=str(decision.details["undoes"]))
    if decision.undone_by is not None:
        return StewardChange(entry, GraphSlice())
    ids = decision.created.get("cannot_link", ())
    created = [cannot_links[i] for i in ids if i in cannot_links]
    must: tuple[KeyPair, ...] = ()
    linked = "a" in details and "b" in details and not stands_in(decision)
    if decision.created.get("must_link") and linked:
        must = (KeyPair.of(str(details["a"]), str(details["b"]), decision.reason),)
    return StewardChange(entry, GraphSlice(), cannot_links=tuple(created), must_links=must)


def carry_api_keys(source: GraphStore, target: GraphStore) -> int:
    """Copy every key (its hash, scopes and revocation); a name the target has is left as it
    is there. Tokens issued by the source keep working against the target."""
    carried = 0
    for key in source.list_api_keys():
        try:
            target.create_api_key(key)
        except Conflict:
            continue
        carried += 1
    return carried


def carry_audit(source: GraphStore, target: GraphStore, advance: Advance | None = None) -> int:
    """Copy the audit log a page at a time; entries the target has (by ID) are kept once."""
    carried, after = 0, None
    while True:
        page = source.list_audit(AuditFilter(first=MAX_PAGE_SIZE, after=after))
        if page.items:
            target.append_audit(page.items)
            carried += len(page.items)
            if advance is not None:
                advance(len(page.items))
        if page.next_cursor is None or not page.items:
            return carried
        after = page.next_cursor
