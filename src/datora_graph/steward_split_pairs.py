"""The pairs a split's cannot-links named, read again from its decision.

A merge-back deletes its split's constraints, and an erasure redacts the split: a replay writes
them again until the merge-back (`steward_replay.py`), and an erasure counts them where they
held live (`erasure_links.py`, `erasure_holds.with_kept_holds`). Worked out again from parts an
erasure redacted, the smallest identifier of a part may be another than live, and the pair of
two parts' smallest would name a link live held with a review item (held silently, the item
never opened): so the redacted split keeps the pairs it named live, but the person's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from datora_graph.domain.erasure_decisions import KEPT_PAIRS
from datora_graph.domain.steward import Decision
from datora_graph.steward_changes import split_pairs
from datora_graph.steward_unsplit import cut_by


def constraint_pairs(split: Decision) -> list[tuple[str, str]]:
    """The pairs (`a` < `b`) the cannot-links of `split` named live: those an erasure left of
    them (`KEPT_PAIRS`), else its parts' and cut links' (`split_pairs`)."""
    kept = split.details.get(KEPT_PAIRS)
    if kept is not None:
        return [(str(a), str(b)) for a, b in kept]
    return split_pairs(split.details.get("parts", {}).values(), cut_by(split))


def with_kept_pairs(redacted: Decision, split: Decision, keys: Collection[str]) -> Decision:
    """The `redacted` split a merge-back undid, naming the pairs its cannot-links (`split`'s,
    as made live) named that none of the erased `keys` is an end of (`KEPT_PAIRS`): a replay
    writes them until the merge-back. The erasure holds again the links the person's held
    (`merged_back_constraints`)."""
    erased = set(keys)
    kept = [[a, b] for a, b in constraint_pairs(split) if a not in erased and b not in erased]
    return replace(redacted, details={**redacted.details, KEPT_PAIRS: kept})


def merged_back_constraints(
    decisions: Sequence[Decision], merged: Collection[str], keys: Collection[str]
) -> set[int]:
    """The cannot-links (IDs) the splits `merged` back made, of each such split one of whose
    pairs named one of `keys`: the merge-back deleted their rows, and the review items they
    held name them still. All of the split's count (which row was which pair is not kept):
    one between others holds again in a replay anyway, the item only named otherwise."""
    erased = set(keys)
    return {
        constraint
        for d in decisions
        if d.id in merged and any(a in erased or b in erased for a, b in constraint_pairs(d))
        for constraint in d.created.get("cannot_link", ())
    }
