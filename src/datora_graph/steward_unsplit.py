"""Undoing a split after new records reached its parts: the parts are merged back.

An exact undo writes back the state before a decision, and only while the decision's profiles
are as it left them. For a split that alone would leave a steward stuck once either part had
seen a new record: the split's cannot-link refuses a merge by hand, and the split could no
longer be undone. So when only observations (no later decision) changed the parts, undoing a
split deletes its cannot-links and merges the profiles that hold its parts now, with the
evidence it cut active again. The split profile's ID survives when one of them still has it
(the part that kept it), as a rebuild would name the profile; else the engine's survivor. The
guards still hold: when new records gave the parts two CRM customer numbers, or the merge
would pass the maximum profile size or another cannot-link, the undo is refused with the
guard's reason.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from datora_graph.domain.changeset import ProfileState
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.steward import (
    Decision,
    GraphSlice,
    MergeNote,
    ProfileRecord,
    ReviewState,
    StewardChange,
)
from datora_graph.domain.survivorship import SurvivorshipRules
from datora_graph.resolution.guards import MergeGuard
from datora_graph.resolution.steward import plan_merge
from datora_graph.steward_changes import closing_states, items_inside
from datora_graph.store.base import GraphStore


@dataclass(frozen=True, slots=True)
class Unsplit:
    """The profiles holding a split's parts now (`before`) and the change merging them."""

    before: GraphSlice
    change: StewardChange
    review_before: tuple[ReviewState, ...] = ()
    """The review items the change closes, as they were (open)."""


def plan_unsplit(
    store: GraphStore,
    guard: MergeGuard,
    rules: SurvivorshipRules,
    split: Decision,
    reason: str,
    actor: str,
    at: datetime,
    dormant: Collection[int] = (),
) -> Unsplit:
    """The change merging back the parts of `split`, or InvalidInput naming `decisionId`.
    `dormant`: constraints the guards take as absent (a rebuild's, of decisions made after
    the merge-back, which did not exist when it was made)."""
    parts: Mapping[str, Sequence[str]] = split.details.get("parts", {})
    keys = sorted({key for members in parts.values() for key in members})
    owners = store.profile_ids_for_identifiers(keys)
    missing = [key for key in keys if key not in owners]
    if missing:
        raise InvalidInput(
            "decisionId", f"the split's identifiers {', '.join(missing)} are no longer stored"
        )
    current = sorted(set(owners.values()))
    before = store.profile_slice(current)
    own_constraints = set(split.created.get("cannot_link", ()))
    snapshot = store.load_snapshot(list(before.assignments))
    keep = str(split.details.get("profile_id", ""))
    ranked = sorted(
        (p for p in before.profiles if p.id in current),
        key=lambda p: (p.id != keep, -p.size, p.created_seq, p.id),
    )
    ignored = own_constraints | set(dormant)
    merged, state = ranked[0], _without(snapshot.profiles[ranked[0].id], ignored)
    notes = []
    for record in ranked[1:]:
        other = _without(snapshot.profiles[record.id], ignored)
        refusal = guard.refusal(state, other)
        if refusal is not None:
            raise InvalidInput(
                "decisionId",
                f"the parts of split {split.id} can no longer be merged back ({refusal}); "
                "new records reached them since",
            )
        state = _combined(state, other)
        merged, absorbed = plan_merge(merged, record, rules, keep)
        notes.append(MergeNote(absorbed, merged.id, at, unsplit_reason(split.id, reason)))
    absorbed_ids = tuple(sorted(note.absorbed for note in notes))
    gone = set(absorbed_ids)
    aliases = {
        alias: merged.id if owner in gone else owner for alias, owner in before.aliases.items()
    }
    aliases.update(dict.fromkeys(absorbed_ids, merged.id))
    cut = cut_by(split)
    merged_keys = {k for k, pid in before.assignments.items() if pid in current}
    # Links the split's cannot-link held since: moot once the parts are one profile again.
    moot = items_inside(store, merged_keys)
    cut |= {(item.a, item.b) for item in moot}
    closed, opened = closing_states(moot, "accepted", actor, at, unsplit_reason(split.id, reason))
    after = GraphSlice(
        tuple(sorted((*(p for p in before.profiles if p.id not in current), merged), key=_id)),
        {key: merged.id if pid in current else pid for key, pid in before.assignments.items()},
        aliases,
        tuple(
            replace(e, status="active") if e.status in ("cut", "held") and (e.a, e.b) in cut else e
            for e in before.evidence
        ),
        before.first_seen,
        before.junk,
    )
    placeholder = Decision("", "undo", "", reason, at, (), ())
    change = StewardChange(
        placeholder,
        after,
        remove_profiles=absorbed_ids,
        merges=tuple(notes),
        delete_cannot_links=tuple(sorted(own_constraints)),
        review=closed,
        undoes=split.id,
    )
    return Unsplit(before, change, opened)


def unsplit_reason(split_id: str, reason: str) -> str:
    """The reason of the notes and answers of a merge-back of the split `split_id`, live and
    in a replay (`steward_replay._erased_parts_notes`)."""
    return f"undo of split {split_id}: {reason}"


def cut_by(split: Decision) -> set[tuple[str, str]]:
    """The evidence pairs the split set to `cut`."""
    already = {(e.a, e.b) for e in split.before.evidence if e.status == "cut"}
    return {(e.a, e.b) for e in split.after.evidence if e.status == "cut"} - already


def _without(state: ProfileState, constraints: set[int]) -> ProfileState:
    sides = {side for side in state.constraint_sides if side[0] not in constraints}
    return replace(state, constraint_sides=sides)


def _combined(left: ProfileState, right: ProfileState) -> ProfileState:
    """The tallies the guards check, of two profiles merged."""
    type_counts = dict(left.type_counts)
    for type_name, count in right.type_counts.items():
        type_counts[type_name] = type_counts.get(type_name, 0) + count
    return replace(
        left,
        size=left.size + right.size,
        type_counts=type_counts,
        constraint_sides=left.constraint_sides | right.constraint_sides,
    )


def _id(record: ProfileRecord) -> str:
    return record.id
