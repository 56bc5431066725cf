"""Re-applying steward decisions to a graph rebuilt from the observation log.

Decisions are not in the observation log, so `IdentityService.rebuild` replays the log and
then calls `DecisionReplay(...).run()` under its write lock: every decision still in force is
applied again, oldest first, without logging it again. Cannot-links are kept by the store and
already held the split parts apart during the replay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from datora_graph.domain.errors import DatoraError, NotFound
from datora_graph.domain.profiles import ReviewFilter, ReviewItem
from datora_graph.domain.steward import Decision, GraphSlice, ReviewState, StewardChange
from datora_graph.resolution.steward import split_groups

if TYPE_CHECKING:
    from datora_graph.steward_service import StewardService

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReapplyReport:
    reapplied: int
    skipped: list[str]


class DecisionReplay:
    """One re-application of the decision log; the caller holds the identity write lock."""

    def __init__(self, stewards: StewardService) -> None:
        self.stewards = stewards

    def run(self) -> ReapplyReport:
        """Re-apply every decision still in force, oldest first, to a graph just rebuilt from
        the log (the caller holds the write lock): merges merge again, splits split again with
        the same part IDs, review items the replay opened again are closed again. Cannot-links
        are kept by the store and already held the parts apart during the replay. A decision
        that no longer applies (its identifiers are gone, or new evidence joins its groups)
        is skipped and named in the report and the log."""
        open_items = self._open_review_items()
        reapplied, skipped = 0, []
        for decision in list(self.stewards.all_decisions()):
            if decision.kind == "undo" or decision.undone_by is not None:
                continue
            try:
                self._reapply(decision, open_items)
                reapplied += 1
            except DatoraError as error:
                logger.warning("decision %s was not re-applied: %s", decision.id, error)
                skipped.append(f"{decision.id}: {error}")
        return ReapplyReport(reapplied, skipped)

    def _open_review_items(self) -> dict[tuple[str, str], ReviewItem]:
        found: dict[tuple[str, str], ReviewItem] = {}
        after = 0
        while True:
            page = self.stewards.store.list_review_items(ReviewFilter("open", after, 1000))
            found.update(((item.a, item.b), item) for item in page.items)
            if page.next_after is None:
                return found
            after = page.next_after

    def _reapply(self, decision: Decision, open_items: dict[tuple[str, str], ReviewItem]) -> None:
        details = decision.details
        if decision.kind == "split":
            self._reapply_split(decision, open_items)
            return
        a, b = str(details["a"]), str(details["b"])
        closing: tuple[ReviewState, ...] = ()
        item = open_items.pop((a, b), None)
        if item is not None and decision.kind != "manual_merge":
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
        before = self.stewards.store.profile_slice(sorted({profile_a, profile_b}))
        activate = (a, b) if decision.kind == "review_accept" else None
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
            )
        self.stewards.store.apply_steward_change(
            replace(change, decision=decision, review=closing, record=False)
        )

    def _reapply_split(
        self, decision: Decision, open_items: dict[tuple[str, str], ReviewItem]
    ) -> None:
        recorded: dict[str, list[str]] = decision.details["parts"]
        virtual_id = str(decision.details["profile_id"])
        names = {key: pid for pid, keys in recorded.items() for key in keys}
        holders = self.stewards.store.profile_ids_for_identifiers(list(names))
        involved = sorted(set(holders.values()))
        if not involved:
            raise NotFound("none of its identifiers exist after the rebuild")
        before = self.stewards.store.profile_slice(involved)
        oldest = min(before.profiles, key=lambda p: (p.created_seq, p.id))
        virtual = GraphSlice(
            (replace(oldest, id=virtual_id),),
            dict.fromkeys(before.assignments, virtual_id),
            dict.fromkeys(before.aliases, virtual_id),
            before.evidence,
            before.first_seen,
            before.junk,
        )
        groups = [[k for k in keys if k in holders] for keys in recorded.values()]
        parts, cut = split_groups(virtual, virtual_id, [g for g in groups if g], None)
        after, _, change = self.stewards.changes.split(
            virtual, virtual_id, parts, cut, decision.id, decision.reason, decision.actor, names
        )
        part_ids = {p.id for p in after.profiles}
        # Profiles the replay made only because the parts were kept apart go without an
        # alias: before the rebuild those IDs never named anything.
        gone = [pid for pid in involved if pid not in part_ids]
        aliases = {a: o for a, o in after.aliases.items() if a not in part_ids}
        closing = tuple(
            ReviewState(
                item.id, item.a, item.b, "rejected", decision.actor, decision.at, decision.reason
            )
            for pair in cut
            if (item := open_items.pop(pair, None)) is not None
        )
        self.stewards.store.apply_steward_change(
            replace(
                change,
                decision=decision,
                write=replace(after, aliases=aliases),
                remove_profiles=tuple(gone),
                remove_aliases=tuple(sorted(part_ids & set(before.aliases))),
                review=closing,
                cannot_links=(),
                record=False,
            )
        )
