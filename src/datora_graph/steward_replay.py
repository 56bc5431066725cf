"""Re-applying steward decisions to a graph rebuilt from the observation log.

Decisions are not in the observation log. Each records the log position it was made at
(`details["log_position"]`), and `IdentityService.rebuild` replays the log up to that position,
applies the decision again (without logging it again), and goes on: the guards then see the
graph each decision saw, so a profile a steward let exceed a limit holds back the same later
links as it did live (`datora migrate` writes each decision into the target at the matching
point of its log, with the target's position). Decisions without a position (made before
positions were recorded) and everything after them are applied once the whole log is
replayed. The cannot-links a positioned decision made are kept by the store but lie dormant
(`IdentityService.dormant`) until the replay reaches it; those of the others hold from the
start, as they always did. A split undone by merging back its parts is applied too, and the
merge-back at its own position (`merged_back`): the records between were resolved with the
parts apart, and the merge-back made aliases of part IDs that must still resolve. Until its
merge-back such a split holds its pairs with the dormant constraint a later decision has on
one (a pair holds one), and the merge-back, as live, sees no dormant constraint.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from datora_graph.domain.erasure_decisions import KEPT_PAIRS, redacted_by, stands_in
from datora_graph.domain.errors import DatoraError, InvalidInput, NotFound
from datora_graph.domain.steward import (
    Decision,
    GraphSlice,
    KeyPair,
    MergeNote,
    ReviewState,
    StewardChange,
)
from datora_graph.erasure_merges import own_notes, restored_notes
from datora_graph.resolution.steward import split_groups
from datora_graph.steward_changes import (
    accept_items_merged,
    closed_by_split,
    review_items_touching,
    split_reason,
)
from datora_graph.steward_placement import (
    is_merge_back,
    merged_back,
    placements,
    replayed,
    woken_at,
)
from datora_graph.steward_rejoin import reached_profiles, rejoin_reached
from datora_graph.steward_split_pairs import constraint_pairs
from datora_graph.steward_unsplit import plan_unsplit, unsplit_reason

if TYPE_CHECKING:
    from datora_graph.steward_service import StewardService
    from datora_graph.store.base import GraphStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReapplyReport:
    reapplied: int
    skipped: list[str]


class DecisionStops(Protocol):
    """Where a replay of the log stops for the next decision, and what it does there."""

    def next_stop(self) -> int | None:
        """The log position of the next decision to apply; None: none before the log ends."""
        ...

    def take_next(self) -> None:
        """Apply the decision `next_stop` named, the log being replayed up to it."""
        ...


def log_pages(
    store: GraphStore, batch_size: int, decisions: DecisionStops
) -> Iterator[Sequence[tuple[int, str]]]:
    """The log a page at a time, none past the next decision's position: there the decision
    is applied before the log goes on."""
    after = 0
    while True:
        stop = decisions.next_stop()
        while stop is not None and stop <= after:
            decisions.take_next()
            stop = decisions.next_stop()
        limit = batch_size if stop is None else min(batch_size, stop - after)
        entries = store.read_log(after, limit)
        if stop is not None:  # positions have gaps where erasures deleted records
            entries = [entry for entry in entries if entry[0] <= stop]
        if not entries:
            if stop is None or not store.read_log(after, 1):
                return
            after = stop  # nothing was logged between here and the decision
            continue
        yield entries
        after = entries[-1][0]


class DecisionReplay:
    """Re-application of the decision log; the caller holds the identity write lock."""

    def __init__(self, stewards: StewardService) -> None:
        self.stewards = stewards
        self.reapplied = 0
        self.skipped: list[str] = []
        self.position: int | None = None
        """Where the replayed log stands for the decision being applied (None: past its
        end): a split folds in no record logged after it."""
        self.merged_back: set[str] = set()
        """The splits a merge-back undid (`merged_back`): their constraints are gone from
        the store, so re-applying one writes them again, for its merge-back to delete."""
        self.borrowed: dict[str, set[int]] = {}
        """Of each merged-back split re-applied, the dormant constraints a later decision
        holds on its pairs (`_borrow`): awake until its merge-back, then dormant again."""

    def apply(self, decision: Decision, position: int | None = None) -> None:
        """Apply one decision again; one that no longer applies (its identifiers are gone,
        or new evidence joins its groups) is skipped and named in the report and the log."""
        # Its own constraints hold from here on (the set is the identity service's too).
        self.stewards.changes.dormant.difference_update(decision.created.get("cannot_link", ()))
        self.position = position
        try:
            self._reapply(decision)
            self.reapplied += 1
        except DatoraError as error:
            # Info, not a warning: the report names it to the person (`datora resolve
            # --rebuild`, `datora migrate`), where a warning would say it a second time.
            logger.info("decision %s was not re-applied: %s", decision.id, error)
            self.skipped.append(f"{decision.id}: {error}")

    def report(self) -> ReapplyReport:
        return ReapplyReport(self.reapplied, list(self.skipped))

    def _reapply(self, decision: Decision) -> None:
        details = decision.details
        if is_merge_back(decision):
            self._reapply_merge_back(decision)
            return
        if decision.kind == "split":
            self._reapply_split(decision)
            return
        a, b = str(details["a"]), str(details["b"])
        # Ends standing in for erased identifiers were never linked: the link, its review
        # item and its evidence went with the person, and the replay merges the profiles only.
        link = not stands_in(decision)
        closing: tuple[ReviewState, ...] = ()
        open_items = review_items_touching(self.stewards.store, (a, b))
        item = next((i for i in open_items if (i.a, i.b) == (a, b)), None)
        if item is not None and link and decision.kind != "manual_merge":
            status = "accepted" if decision.kind == "review_accept" else "rejected"
            closing = (
                ReviewState(item.id, a, b, status, decision.actor, decision.at, decision.reason),
            )
        if decision.kind == "review_reject":
            self.stewards.store.apply_steward_change(
                StewardChange(decision, GraphSlice(), review=closing, record=False)
            )
            return
        profile_a = self.stewards.profile_of_key(a, "a")
        profile_b = self.stewards.profile_of_key(b, "b")
        # The items the merge accepted live (its `review_before`), closed again.
        answered = {(r.a, r.b) for r in decision.review_before}
        store = self.stewards.store
        reached = reached_profiles(store, (profile_a, profile_b), answered) if answered else []
        involved = {profile_a, profile_b, *(pid for pid, _ in reached)}
        before = store.profile_slice(sorted(involved))
        activate = (a, b) if link and decision.kind == "review_accept" else None
        if profile_a == profile_b:
            evidence = tuple(
                replace(e, status="active") if (e.a, e.b) == activate else e
                for e in before.evidence
            )
            change = StewardChange(decision, replace(before, evidence=evidence))
        else:
            # The survivor the decision had, though the replay may have grown the other one
            # larger (records that reached it after the decision came before it now).
            kept = decision.profiles_after[0] if len(decision.profiles_after) == 1 else ""
            change = self.stewards.changes.merge(
                before,
                profile_a,
                profile_b,
                a,
                b,
                decision.reason,
                "b",
                activate,
                at=decision.at,
                keep=kept,
                link=link,
            )
        change = replace(change, review=closing)
        if answered:
            skip = closing[0].item_id if closing else None
            merged = change.write.assignments[a]
            # An erasure may have left an accepted item's end in a profile of its own.
            change, merged = rejoin_reached(
                self.stewards.changes, change, merged, reached, decision
            )
            change, _ = accept_items_merged(
                self.stewards.store,
                change,
                merged,
                decision.id,
                decision.actor,
                decision.reason,
                at=decision.at,
                skip=skip,
                pairs=answered,
            )
        notes = own_notes(decision)
        change = change if notes is None else replace(change, merges=tuple(notes))
        self.stewards.store.apply_steward_change(replace(change, decision=decision, record=False))

    def _reapply_split(self, decision: Decision) -> None:
        recorded: dict[str, list[str]] = decision.details["parts"]
        virtual_id = str(decision.details["profile_id"])
        names = {key: pid for pid, keys in recorded.items() for key in keys}
        holders = self.stewards.store.profile_ids_for_identifiers(list(names))
        involved = sorted(set(holders.values()))
        if not involved:
            raise NotFound("none of its identifiers exist after the rebuild")
        before = self.stewards.store.profile_slice(involved)
        oldest = min(before.profiles, key=lambda p: (p.created_seq, p.id))
        # The part keeping the split profile's ID keeps the creation that profile had live
        # (a later merge's survivor depends on it), not the creation of the profile the
        # replay holds its identifiers in: an erasure may have changed which profile survived
        # a merge before the split (the erased identifiers had made one the larger).
        live = decision.before.profile(virtual_id) or oldest
        virtual = GraphSlice(
            (
                replace(
                    oldest,
                    id=virtual_id,
                    created_seq=live.created_seq,
                    created_at=live.created_at,
                ),
            ),
            dict.fromkeys(before.assignments, virtual_id),
            dict.fromkeys(before.aliases, virtual_id),
            before.evidence,
            before.first_seen,
            before.junk,
        )
        groups = [kept for keys in recorded.values() if (kept := [k for k in keys if k in holders])]
        if len(groups) > 1:
            # A group an erasure redacted may lie in pieces, the person having joined them.
            redacted = redacted_by(decision) is not None
            parts, cut = split_groups(virtual, virtual_id, groups, None, redacted=redacted)
        elif len(involved) == 1:
            # The other parts were erased (domain/erasure_decisions.py): what stayed keeps
            # the ID the split gave it.
            parts, cut = [tuple(sorted(virtual.assignments))], []
        else:
            raise InvalidInput(
                "parts", "its one part left after an erasure is in several profiles now"
            )
        after, _, change = self.stewards.changes.split(
            virtual,
            virtual_id,
            parts,
            cut,
            decision.id,
            decision.reason,
            decision.actor,
            names,
            self.position,
        )
        part_ids = {p.id for p in after.profiles}
        gone = [pid for pid in involved if pid not in part_ids]
        aliases = self._part_aliases(decision, after.aliases, part_ids, gone)
        dropped = (part_ids | set(after.aliases)) - set(aliases)
        # An alias the replay made and live never had goes, and so does the note of its merge.
        removed = tuple(sorted(dropped & set(before.aliases)))
        # An erasure may have turned a merge the other way (the erased identifiers made live's
        # survivor, the split profile, the larger): its note says what live's says again.
        reverse = (
            ((virtual_id, oldest.id),)
            if before.aliases.get(virtual_id) == oldest.id
            and decision.before.aliases.get(oldest.id) == virtual_id
            else ()
        )
        store = self.stewards.store
        # Notes live kept of merges no replay makes again (the erasure rewrote their record
        # or deleted their decision), or makes otherwise, whose aliases the split restores
        # (erasure_merges.py): the replay's notes of those aliases go, live's are written.
        stale, noted = restored_notes(store, decision, involved, aliases)
        closing, _ = closed_by_split(store, cut, decision.actor, decision.at, decision.reason)
        constraints = self._constraints(decision, change.cannot_links)
        self.stewards.store.apply_steward_change(
            replace(
                change,
                decision=decision,
                write=replace(after, aliases=aliases),
                remove_profiles=tuple(gone),
                remove_aliases=removed,
                reverse_merges=reverse,
                delete_merges_absorbing=(*removed, *stale),
                merges=(*change.merges, *noted),
                review=closing,
                cannot_links=constraints,
                record=False,
            )
        )
        if decision.id in self.merged_back:
            self._borrow(decision.id, constraints)

    def _constraints(self, decision: Decision, made: Sequence[KeyPair]) -> tuple[KeyPair, ...]:
        """The cannot-links the re-applied split `decision` writes: none for one in force (the
        store keeps its rows), and for one merged back those it `made` again, or the pairs an
        erasure left of those it made live (`with_kept_pairs`)."""
        if decision.id not in self.merged_back:
            return ()
        if KEPT_PAIRS not in decision.details:
            return tuple(made)
        reason = split_reason(decision.id, decision.reason)
        return tuple(KeyPair.of(a, b, reason) for a, b in constraint_pairs(decision))

    def _part_aliases(
        self,
        decision: Decision,
        replayed: Mapping[str, str],
        part_ids: set[str],
        gone: Sequence[str],
    ) -> dict[str, str]:
        """The aliases of the parts of the split `decision` re-applied: at its log position,
        those the split left them live and no other. A profile the replay made only because
        the parts were kept apart goes without one, and so does one that a record an erasure
        rewrote created under an ID live never had (its anchor, whose profile took the record
        in live, went with the person). Past the log's end (no position), the records after
        the split made aliases too: those `replayed` gives them are kept."""
        live = decision.after.aliases
        if self.position is not None:
            return {a: o for a, o in live.items() if o in part_ids and a not in part_ids}
        # The split profile's own ID names a part, or is an alias the split left live; when
        # an erasure took the part that kept it, it names nothing.
        virtual_id = str(decision.details["profile_id"])
        aliases = {
            a: o
            for a, o in replayed.items()
            if a not in part_ids and (a != virtual_id or live.get(a) in part_ids)
        }
        aliases.update({pid: live[pid] for pid in gone if live.get(pid) in part_ids})
        return aliases

    def _borrow(self, split_id: str, pairs: Iterable[KeyPair]) -> None:
        """Wake the dormant constraints on the pairs of `split_id`'s own: a pair holds one
        row, so where a later decision's (dormant) holds it, writing the split's made none,
        and the records before its merge-back would be resolved as if it cut nothing."""
        dormant = self.stewards.changes.dormant
        wanted = {(pair.a, pair.b) for pair in pairs}
        rows = {
            c.id
            for c in self.stewards.store.list_cannot_links()
            if c.id in dormant and (c.a, c.b) in wanted
        }
        if rows:
            self.borrowed[split_id] = rows
            dormant.difference_update(rows)

    def _reapply_merge_back(self, undo: Decision) -> None:
        """Merge the parts of the split `undo` undid back, as it did live."""
        store = self.stewards.store
        split_id = str(undo.details["undoes"])
        split = store.get_decisions([split_id]).get(split_id)
        if split is None:
            raise NotFound(f"the split {split_id} it undid is no longer in the decision log")
        # The constraints the split's re-application wrote (`_reapply_split`) go with it.
        mine = split_reason(split_id, "")
        own = [c.id for c in store.list_cannot_links() if c.reason.startswith(mine)]
        replayed_split = replace(split, created={**split.created, "cannot_link": own})
        # Constraints of decisions not reached yet did not exist when it merged back live;
        # those the split borrowed go back to sleep after it.
        dormant = self.stewards.changes.dormant
        borrowed = self.borrowed.pop(split_id, set())
        unsplit = plan_unsplit(
            store,
            self.stewards.guard,
            self.stewards.rules,
            replayed_split,
            undo.reason,
            undo.actor,
            undo.at,
            dormant | borrowed,
        )
        change = unsplit.change
        # As live kept them, when an erasure said (else the notes of the parts it took alone).
        kept = own_notes(undo)
        notes = (
            (*change.merges, *_erased_parts_notes(undo, split_id, change))
            if kept is None
            else tuple(kept)
        )
        store.apply_steward_change(replace(change, merges=notes, decision=undo, record=False))
        dormant.update(borrowed)


def _erased_parts_notes(undo: Decision, split_id: str, change: StewardChange) -> list[MergeNote]:
    """The notes of the merge-back `undo` for the parts of `split_id` an erasure took: live
    it absorbed them, and the erasure kept the notes where their IDs stayed aliases of the
    survivor (a later split re-applied restores those aliases); the replay has no profile
    left to merge, so writes the notes alone, as live wrote them."""
    if redacted_by(undo) is None:
        return []
    noted = {note.absorbed for note in change.merges}
    kept = {profile.id for profile in change.write.profiles}
    made = {a: s for a, s in undo.after.aliases.items() if a not in undo.before.aliases}
    reason = unsplit_reason(split_id, undo.reason)
    return [
        MergeNote(absorbed, survivor, undo.at, reason)
        for absorbed, survivor in sorted(made.items())
        if absorbed not in noted and absorbed not in kept and survivor in kept
    ]


class RebuildDecisions:
    """A rebuild's decisions in force, each applied where the log stood when it was made."""

    def __init__(self, replay: DecisionReplay) -> None:
        self.replay = replay
        decisions = list(replay.stewards.all_decisions())
        merged = replay.merged_back = merged_back(decisions)
        self.pending = collections.deque(
            placed for placed in placements(decisions, merged) if replayed(placed[1], merged)
        )

    def dormant(self) -> set[int]:
        """The constraints of the decisions applied at a position: until the replay reaches
        it, they hold nothing."""
        return set(woken_at(self.pending))

    def next_stop(self) -> int | None:
        return self.pending[0][0] if self.pending else None

    def take_next(self) -> None:
        position, decision = self.pending.popleft()
        self.replay.apply(decision, position)

    def finish(self) -> None:
        """Apply the rest: past the log's end, or made without a position."""
        while self.pending:
            self.take_next()
