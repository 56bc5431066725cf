"""Which steward decisions a replay applies, and at which log position.

A rebuild and `datora migrate` apply a decision again where the log stood when it was made
(`LOG_POSITION`); the erasure reads the same placements to tell which records a decision's
constraints held live. steward_replay.py applies them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from datora_graph.domain.steward import Decision
from datora_graph.steward_split_pairs import constraint_pairs

LOG_POSITION = "log_position"
"""The key of a decision's `details` holding the log position it was made at."""


def log_position_of(decision: Decision) -> int | None:
    """The log position a decision was made at; None for one recorded without it."""
    position = decision.details.get(LOG_POSITION)
    return position if isinstance(position, int) and not isinstance(position, bool) else None


def in_force(decision: Decision) -> bool:
    """Neither an undo nor undone: a replay applies it again."""
    return decision.kind != "undo" and decision.undone_by is None


def is_merge_back(decision: Decision) -> bool:
    """An undo that merged a split's parts back after new records reached them, with the log
    position it was made at (older ones had none, and are not replayed)."""
    return (
        decision.kind == "undo"
        and bool(decision.details.get("merged_back"))
        and log_position_of(decision) is not None
    )


def merged_back(decisions: Iterable[Decision]) -> set[str]:
    """The splits a replayable merge-back undid. The records between the split and its undo
    were resolved with the parts apart, so a replay applies the split where it was made and
    the merge-back where it was made, rather than neither."""
    return {str(d.details["undoes"]) for d in decisions if is_merge_back(d)}


def replayed(decision: Decision, merged: Collection[str]) -> bool:
    """Whether a replay applies `decision`: in force, a split in `merged` (`merged_back`),
    or the merge-back that undid it."""
    return in_force(decision) or decision.id in merged or is_merge_back(decision)


def placements(
    decisions: Iterable[Decision], merged: Collection[str]
) -> Iterator[tuple[int | None, Decision]]:
    """Each decision, in order, with the log position to apply it at: None for one a replay
    does not apply (`replayed`, with the splits `merged` back), one without a position and
    every one applied after that (so decisions are applied in the order they were made);
    positions never go back."""
    positioned, latest = True, 0
    for decision in decisions:
        if not replayed(decision, merged):
            yield None, decision
            continue
        position = log_position_of(decision)
        positioned = positioned and position is not None
        if position is None or not positioned:
            yield None, decision
            continue
        latest = max(latest, position)
        yield latest, decision


def woken_at(placed: Iterable[tuple[int | None, Decision]]) -> dict[int, int]:
    """Of each cannot-link constraint a decision `placed` at a log position made, that
    position: a replay holds it dormant until there, so it held no record at or before it
    (live, the decision was made once the log stood there). Those of the others (no position)
    hold from the start."""
    return {
        constraint: position
        for position, decision in placed
        if position is not None
        for constraint in decision.created.get("cannot_link", ())
    }


def merged_back_pairs(
    placed: Iterable[tuple[int | None, Decision]],
) -> Iterator[tuple[tuple[str, str], int, int]]:
    """The pairs (`a` < `b`) the cannot-links of each split a merge-back undid named, with
    the log positions of the split and of its merge-back: they held the records between
    apart live, and a replay holds them there too (`DecisionReplay._reapply_split` writes
    them again, the merge-back deletes them), though the store keeps them no more."""
    placed = list(placed)
    splits = {d.id: (position, d) for position, d in placed if d.kind == "split"}
    for end, undo in placed:
        start, split = splits.get(str(undo.details.get("undoes")), (None, None))
        if end is None or start is None or split is None or not is_merge_back(undo):
            continue
        for pair in constraint_pairs(split):
            yield pair, start, end
