"""What data stewards decide and what the store keeps of it: slices of the graph, decisions.

A steward decision (split, manual merge, review accept or reject) rewrites a few profiles. The
store hands out a `GraphSlice` of those profiles (rows, members, aliases, the evidence touching
their identifiers) and applies a `StewardChange` in one transaction. Each decision is kept in
the decision log with the slice as it was before and after, so an undo writes the before-slice
back exactly, and a rebuild can re-apply the decisions in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from datora_graph.domain.audit import AuditEntry
from datora_graph.domain.survivorship import Candidates

DecisionKind = Literal["split", "manual_merge", "review_accept", "review_reject", "undo"]


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """A profile row exactly as stored, so writing it back restores it byte for byte."""

    id: str
    size: int
    type_counts: Mapping[str, int]
    created_seq: int
    created_at: datetime
    updated_at: datetime
    junk: bool
    attributes: Mapping[str, Any]
    candidates: Candidates


@dataclass(frozen=True, slots=True)
class EvidenceEdge:
    """One stored evidence row: the identifiers `a < b` seen together by `source`."""

    a: str
    b: str
    source: str
    count: int
    first_seen: datetime
    last_seen: datetime
    kind: str
    status: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class GraphSlice:
    """Some profiles as they stand: their rows, which identifier is in which, the aliases that
    resolve to them, and the evidence with at least one end among their identifiers."""

    profiles: Sequence[ProfileRecord] = ()
    assignments: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    evidence: Sequence[EvidenceEdge] = ()
    first_seen: Mapping[str, datetime] = field(default_factory=dict)
    """When each identifier of `assignments` was first seen."""
    junk: frozenset[str] = frozenset()
    """The junk identifiers among `assignments`."""

    def members(self, profile_id: str) -> list[str]:
        return sorted(k for k, p in self.assignments.items() if p == profile_id)

    def profile(self, profile_id: str) -> ProfileRecord | None:
        return next((p for p in self.profiles if p.id == profile_id), None)


@dataclass(frozen=True, slots=True)
class ReviewState:
    """A review item's status and, once resolved, who resolved it, when and why."""

    item_id: int
    a: str
    b: str
    status: str
    actor: str | None = None
    at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A constraint between two identifier keys (`a < b`), with the steward's reason."""

    a: str
    b: str
    reason: str

    @classmethod
    def of(cls, x: str, y: str, reason: str) -> KeyPair:
        a, b = sorted((x, y))
        return cls(a, b, reason)


@dataclass(frozen=True, slots=True)
class MergeNote:
    """A merge a decision made, for the profile's merge history."""

    absorbed: str
    survivor: str
    at: datetime
    reason: str
    observation_id: str | None = None
    """The record or decision that made the merge, when not the change's own decision: a
    note an erasure kept live that a replay cannot make again (`KEPT_MERGES`)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """One entry of the decision log.

    `before`/`after` are the slices of the affected profiles around the decision; `created`
    lists what the store made for it (constraint and merge record IDs) so an undo removes
    exactly those; `details` holds what the steward asked for (groups, identifiers, item ID)
    so a rebuild can ask again."""

    id: str
    kind: DecisionKind
    actor: str
    reason: str
    at: datetime
    profiles_before: tuple[str, ...]
    profiles_after: tuple[str, ...]
    before: GraphSlice = field(default_factory=GraphSlice)
    after: GraphSlice = field(default_factory=GraphSlice)
    review_before: tuple[ReviewState, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    created: Mapping[str, list[int]] = field(default_factory=dict)
    undone_by: str | None = None
    seq: int = 0


@dataclass(frozen=True, slots=True)
class StewardChange:
    """Everything one decision (or its undo) writes, applied by the store in one transaction:
    profile rows written, identifiers moved, aliases set, evidence statuses set, profiles in
    `remove_profiles` deleted, aliases in `remove_aliases` deleted, constraints and merge notes
    added or deleted, review items updated, then the decision logged (and `undoes` marked).
    `write.evidence` rows are written whole (added or reset); `delete_evidence` rows go."""

    decision: Decision
    write: GraphSlice
    remove_profiles: tuple[str, ...] = ()
    remove_aliases: tuple[str, ...] = ()
    cannot_links: tuple[KeyPair, ...] = ()
    must_links: tuple[KeyPair, ...] = ()
    merges: tuple[MergeNote, ...] = ()
    review: tuple[ReviewState, ...] = ()
    delete_cannot_links: tuple[int, ...] = ()
    delete_must_links: tuple[int, ...] = ()
    delete_merges_of: str | None = None
    """Delete the merge notes this decision ID wrote (an undo)."""
    reverse_merges: tuple[tuple[str, str], ...] = ()
    """Turn the merge notes, recorded before this change, that absorbed each pair's first
    profile ID into its second the other way round (same record, time and reason): a merge
    a re-applied split finds the replay made with the survivor live had absorbed. Applied
    before `delete_merges_absorbing`."""
    delete_merges_absorbing: tuple[str, ...] = ()
    """Delete the merge notes, recorded before this change, that absorbed these profile IDs:
    the aliases a re-applied split drops because live never had them, whose notes would
    otherwise outlive them in the merge history."""
    delete_evidence: tuple[tuple[str, str, str], ...] = ()
    undoes: str | None = None
    record: bool = True
    """Log the decision; False when a rebuild re-applies a decision that is logged already."""
    audit: tuple[AuditEntry, ...] = ()
    """Written in the same transaction as the decision."""


@dataclass(frozen=True, slots=True)
class DecisionPage:
    decisions: Sequence[Decision]
    next_after: int | None
