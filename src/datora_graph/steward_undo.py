"""Undoing a steward decision. It is undone exactly (its before state written back) while
the profiles it left are as it left them. When a later decision changed them, the undo is
refused naming the later decisions to undo first: undo never cascades on its own. When only
new records changed them, or a redaction scrubbed its snapshots (domain/redaction_decisions.py),
a split is undone by merging its parts back (steward_unsplit.py); other decisions are refused,
naming what changed.

>>> undo(store, guard, rules, "dec_…", reason="wrong profile", actor="ann")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace

from datora_graph.domain.erasure_decisions import redacted_by
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.redaction_decisions import scrubbed_by
from datora_graph.domain.steward import Decision, GraphSlice, StewardChange
from datora_graph.domain.survivorship import SurvivorshipRules
from datora_graph.resolution.guards import MergeGuard
from datora_graph.steward_changes import items_of_pairs
from datora_graph.steward_log import (
    apply_decision,
    decision_pages,
    decision_time,
    find_decision,
    new_decision,
    new_decision_id,
)
from datora_graph.steward_placement import in_force
from datora_graph.steward_unsplit import plan_unsplit
from datora_graph.store.base import GraphStore
from datora_graph.store.steward_rows import slice_to_json


def undo(
    store: GraphStore,
    guard: MergeGuard,
    rules: SurvivorshipRules,
    decision_id: str,
    reason: str,
    actor: str,
) -> Decision:
    """Undo `decision_id`, or InvalidInput naming `decisionId` saying why not. The caller
    holds the write lock and passes a checked reason (`steward_log.decision_reason`)."""
    original = find_decision(store, decision_id)
    if original.kind == "undo":
        raise InvalidInput("decisionId", "an undo cannot be undone; decide again instead")
    if original.undone_by is not None:
        raise InvalidInput(
            "decisionId", f"{decision_id} was undone already by {original.undone_by}"
        )
    erasure = redacted_by(original)
    if erasure is not None:
        raise InvalidInput(
            "decisionId",
            f"{decision_id} named a person erased since (audit entry {erasure}), and "
            "the state before it went with them: it cannot be undone exactly — split "
            "or merge by hand instead",
        )
    current = store.profile_slice(original.profiles_after)
    # A scrubbed snapshot is not the state the decision left, though it may read like it.
    if scrubbed_by(original) or slice_to_json(current) != slice_to_json(original.after):
        later = _later_decisions(store, original)
        if original.kind == "split" and not later:
            return _merge_back(store, guard, rules, original, reason, actor)
        raise InvalidInput("decisionId", _changed_since(original, later))
    return apply_decision(store, _exact_undo(store, original, current, reason, actor))


def _exact_undo(
    store: GraphStore, original: Decision, current: GraphSlice, reason: str, actor: str
) -> StewardChange:
    """The change writing back the state before `original`, which left `current` as it is."""
    before = original.before
    kept = {(e.a, e.b, e.source) for e in before.evidence}
    return StewardChange(
        Decision(
            new_decision_id(),
            "undo",
            actor,
            reason,
            decision_time(),
            original.profiles_after,
            original.profiles_before,
            current,
            before,
            details={"undoes": original.id, "undone_kind": original.kind},
        ),
        before,
        remove_profiles=tuple(sorted(set(original.profiles_after) - set(original.profiles_before))),
        remove_aliases=tuple(sorted(set(original.after.aliases) - set(before.aliases))),
        delete_cannot_links=tuple(original.created.get("cannot_link", ())),
        delete_must_links=tuple(original.created.get("must_link", ())),
        delete_merges_of=original.id,
        delete_evidence=tuple(
            (e.a, e.b, e.source)
            for e in original.after.evidence
            if (e.a, e.b, e.source) not in kept
        ),
        review=items_of_pairs(store, original.review_before),
        undoes=original.id,
    )


def _later_decisions(store: GraphStore, original: Decision) -> list[str]:
    """The decisions in force, newest first, made after `original` on its profiles."""
    touched = set(original.profiles_after)
    decisions = [d for page in decision_pages(store) for d in page]
    return [
        d.id
        for d in reversed(decisions)
        if d.seq > original.seq
        and in_force(d)
        and touched & (set(d.profiles_before) | set(d.profiles_after))
    ]


def _merge_back(
    store: GraphStore,
    guard: MergeGuard,
    rules: SurvivorshipRules,
    split: Decision,
    reason: str,
    actor: str,
) -> Decision:
    """Undo a split whose parts new records changed since (see steward_unsplit.py)."""
    now = decision_time()
    unsplit = plan_unsplit(store, guard, rules, split, reason, actor, now)
    change = unsplit.change
    details = {"undoes": split.id, "undone_kind": split.kind, "merged_back": True}
    decision = new_decision(
        store,
        new_decision_id(),
        "undo",
        actor,
        reason,
        unsplit.before,
        change.write,
        unsplit.review_before,
        details,
    )
    return apply_decision(store, replace(change, decision=replace(decision, at=now)))


def _changed_since(original: Decision, later: list[str]) -> str:
    touched = ", ".join(sorted(original.profiles_after))
    if later:
        return (
            f"profiles {touched} changed after {original.id}: undo {', '.join(later)} first "
            "(newest first)"
        )
    redactions = scrubbed_by(original)
    if redactions:
        return (
            f"profiles {touched} changed after {original.id}: a redaction took values out of "
            f"them (audit entry {', '.join(redactions)}); it can no longer be undone exactly — "
            "split or merge by hand instead"
        )
    return (
        f"profiles {touched} changed after {original.id} (new observations or merges); it can "
        "no longer be undone exactly — split or merge by hand instead"
    )
