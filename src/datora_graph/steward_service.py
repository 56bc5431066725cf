"""Data stewards' use cases: explain a profile, split it, merge by hand, resolve review items,
undo any of those, and re-apply them all after a rebuild.

>>> stewards = StewardService(identity_service)                            # doctest: +SKIP
>>> decision = stewards.split_profile("prf_1", groups=[["email:a@x.io"], ["email:b@x.io"]],
...                                   reason="shared kiosk", actor="ann")  # doctest: +SKIP
>>> stewards.undo_decision(decision.id, reason="wrong profile", actor="ann")  # doctest: +SKIP

Every decision is written with its entry in the decision log (before and after state) in one
store transaction, under the identity service's write lock, so ingest never interleaves.

Undo policy: a decision is undone exactly (its before state written back) while the profiles
it left are as it left them. When a later decision changed them, the undo is refused naming
the later decisions to undo first: undo never cascades on its own. When only new records
changed them, a split is undone by merging its parts back (steward_unsplit.py); other
decisions are refused, naming what changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from datora_graph.domain.erasure_decisions import redacted_by
from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.profiles import ANSWERED, ReviewFilter, ReviewItem
from datora_graph.domain.steward import (
    Decision,
    DecisionKind,
    DecisionPage,
    GraphSlice,
    KeyPair,
    ReviewState,
    StewardChange,
)
from datora_graph.log_index import LogIndex
from datora_graph.resolution import explain as paths
from datora_graph.resolution.guards import MergeGuard
from datora_graph.resolution.steward import split_groups
from datora_graph.services import IdentityService
from datora_graph.steward_audit import decision_entry
from datora_graph.steward_changes import (
    GraphChanges,
    close_answered,
    closed_by_split,
    items_of_pairs,
)
from datora_graph.steward_replay import LOG_POSITION, in_force
from datora_graph.steward_unsplit import plan_unsplit
from datora_graph.store.base import GraphStore
from datora_graph.store.steward_rows import slice_to_json

MAX_DECISION_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Explanation:
    a: str
    b: str
    profile_a: str
    profile_b: str
    paths: list[paths.EvidencePath]


@dataclass(frozen=True, slots=True)
class SpanningTree:
    profile_id: str
    members: list[str]
    links: list[paths.EvidenceLink]


def new_decision_id() -> str:
    return f"dec_{uuid.uuid4().hex[:20]}"


class StewardService:
    """The steward use cases over the identity service's store, engine settings and lock."""

    def __init__(self, identity: IdentityService) -> None:
        self.identity = identity
        self.store = identity.store
        self.registry = identity.registry
        self.rules = identity.settings.survivorship_rules()
        self._lock = identity._write_lock
        self.changes = GraphChanges(self.store, self.registry, self.rules)
        self.guard = MergeGuard(self.registry, identity.settings.guard_settings())

    # -- references -----------------------------------------------------------------------
    def identifier_key(self, reference: str, field: str) -> str:
        """`type:value` as a client writes it, normalised; InvalidInput naming `field`."""
        type_name, sep, value = reference.partition(":")
        if not sep or not type_name or not value:
            raise InvalidInput(field, f"{reference!r} is not of the form type:value")
        try:
            parsed = self.registry.parse_with_junk(type_name, value, field=field)
        except InvalidInput as error:
            raise InvalidInput(field, error.reason) from None
        return parsed.identifier.key

    def profile_of_key(self, key: str, field: str) -> str:
        found = self.store.profile_ids_for_identifiers([key]).get(key)
        if found is None:
            raise NotFound(f"{field}: no profile holds the identifier {key!r}")
        return found

    def _current_profile(self, reference: str, field: str) -> str:
        """The current ID of a profile given by its ID, an alias, or an identifier of it
        written `type:value`."""
        found = self.store.resolve_profile_ids([reference]).get(reference)
        if found is not None:
            return found
        type_name, sep, _ = reference.partition(":")
        if sep and type_name in self.registry.types:
            return self.profile_of_key(self.identifier_key(reference, field), field)
        raise NotFound(f"{field}: {self.identity.unknown_reference(reference)}")

    # -- explain --------------------------------------------------------------------------
    def explain(self, a: str, b: str) -> Explanation:
        """The evidence paths joining two identifiers (none when they are in two profiles)."""
        key_a, key_b = self.identifier_key(a, "a"), self.identifier_key(b, "b")
        profile_a = self.profile_of_key(key_a, "a")
        profile_b = self.profile_of_key(key_b, "b")
        found: list[paths.EvidencePath] = []
        if profile_a == profile_b:
            slice_ = self.store.profile_slice([profile_a])
            members = slice_.members(profile_a)
            found = paths.explain(slice_.evidence, key_a, key_b, members)
        return Explanation(key_a, key_b, profile_a, profile_b, found)

    def why_merged(self, profile_id: str) -> SpanningTree:
        current = self._current_profile(profile_id, "profileId")
        slice_ = self.store.profile_slice([current])
        members = slice_.members(current)
        return SpanningTree(current, members, paths.why_merged(slice_.evidence, members))

    def split_proposals(self, profile_id: str, a: str, b: str) -> list[paths.SplitProposal]:
        current = self._current_profile(profile_id, "profileId")
        key_a, key_b = self.identifier_key(a, "a"), self.identifier_key(b, "b")
        slice_ = self.store.profile_slice([current])
        members = slice_.members(current)
        return paths.split_proposals(slice_.evidence, members, key_a, key_b)

    # -- decisions ------------------------------------------------------------------------
    def split_profile(
        self,
        profile_id: str,
        groups: Sequence[Sequence[str]] | None = None,
        cut_edges: Sequence[tuple[str, str]] | None = None,
        *,
        reason: str,
        actor: str,
    ) -> Decision:
        """Split a profile by groups of identifiers or by evidence pairs to cut; the parts
        are kept apart by cannot-link constraints between their smallest identifiers and
        between the ends of each cut link, and the open review items on the cut links are
        closed as rejected (an undo opens them again)."""
        reason = _reason(reason)
        key_groups = (
            None
            if groups is None
            else [
                [self.identifier_key(ref, f"groups[{g}][{i}]") for i, ref in enumerate(group)]
                for g, group in enumerate(groups)
            ]
        )
        key_cuts = (
            None
            if cut_edges is None
            else [
                (
                    self.identifier_key(x, f"cutEdges[{n}].a"),
                    self.identifier_key(y, f"cutEdges[{n}].b"),
                )
                for n, (x, y) in enumerate(cut_edges)
            ]
        )
        LogIndex(self.store, self.registry).catch_up()  # before the lock: see log_index.py
        with self._lock:
            current = self._current_profile(profile_id, "profileId")
            before = self.store.profile_slice([current])
            parts, cut = split_groups(before, current, key_groups, key_cuts)
            decision_id = new_decision_id()
            change = self.changes.split(before, current, parts, cut, decision_id, reason, actor)
            details = {
                "profile_id": current,
                "parts": {pid: list(keys) for pid, keys in change[1].items()},
            }
            now = _now()
            closed, opened = closed_by_split(self.store, cut, actor, now, reason)
            decision = self._decision(
                decision_id, "split", actor, reason, before, change[0], opened, details
            )
            decision = replace(decision, at=now)
            stored = self._apply(replace(change[2], decision=decision, review=closed))
        return stored

    def merge_profiles(self, a: str, b: str, *, reason: str, actor: str) -> Decision:
        """Merge two profiles (IDs or aliases) now and record a must-link between them; the
        open review items it answers (both ends in the merged profile) close as accepted, and
        an undo opens them again."""
        reason = _reason(reason)
        with self._lock:
            profile_a = self._current_profile(a, "a")
            profile_b = self._current_profile(b, "b")
            if profile_a == profile_b:
                raise InvalidInput("b", f"{b} is already the same profile as {a} ({profile_a})")
            decision_id = new_decision_id()
            before = self.store.profile_slice([profile_a, profile_b])
            key_a, key_b = min(before.members(profile_a)), min(before.members(profile_b))
            now = _now()
            change = self.changes.merge(
                before, profile_a, profile_b, key_a, key_b, reason, "b", at=now
            )
            merged = change.write.assignments[key_a]
            change, opened = close_answered(
                self.store, change, merged, decision_id, actor, reason, at=now
            )
            details = {"a": key_a, "b": key_b}
            decision = self._decision(
                decision_id, "manual_merge", actor, reason, before, change.write, opened, details
            )
            decision = replace(decision, at=now)
            stored = self._apply(replace(change, decision=decision))
        return stored

    def resolve_review_item(
        self, item_id: int, accept: bool, *, reason: str, actor: str
    ) -> Decision:
        """Accept (merge the two profiles, a must-link; the held evidence becomes active) or
        reject (a cannot-link between the two identifiers) an open review item. A merge closes
        the other open items it answers too, as `merge_profiles` does."""
        reason = _reason(reason)
        with self._lock:
            item = self._review_item(item_id)
            if item.status == ANSWERED:
                raise InvalidInput(
                    "itemId",
                    f"review item {item_id} is answered, not open: observation "
                    f"{item.answered_by} put {item.a} and {item.b} in one profile "
                    f"({item.profile_a}) through another link, so there is nothing left to "
                    "accept or reject. To keep them apart, split the profile",
                )
            if item.status != "open":
                raise InvalidInput("itemId", f"review item {item_id} is {item.status}, not open")
            profile_a = self.profile_of_key(item.a, "itemId")
            profile_b = self.profile_of_key(item.b, "itemId")
            if not accept and profile_a == profile_b:
                raise InvalidInput(
                    "itemId",
                    f"review item {item_id} cannot be rejected: {item.a} and {item.b} are "
                    f"already one profile ({profile_a}) through another link or decision. To "
                    "keep them apart, split the profile (a split records the cannot-link), or "
                    "undo the decision that joined them first",
                )
            decision_id = new_decision_id()
            before = self.store.profile_slice(sorted({profile_a, profile_b}))
            now = _now()
            status = "accepted" if accept else "rejected"
            closed = ReviewState(item.id, item.a, item.b, status, actor, now, reason)
            opened = ReviewState(item.id, item.a, item.b, "open")
            kind: DecisionKind = "review_accept" if accept else "review_reject"
            answered: tuple[ReviewState, ...] = ()  # the other items a merge closes, as they were
            if accept and profile_a != profile_b:
                change = self.changes.merge(
                    before,
                    profile_a,
                    profile_b,
                    item.a,
                    item.b,
                    reason,
                    "itemId",
                    (item.a, item.b),
                    at=now,
                )
                merged = change.write.assignments[item.a]
                change, answered = close_answered(
                    self.store, change, merged, decision_id, actor, reason, at=now, skip=item.id
                )
            elif accept:
                evidence = tuple(
                    replace(e, status="active") if (e.a, e.b) == (item.a, item.b) else e
                    for e in before.evidence
                )
                change = StewardChange(
                    Decision("", kind, actor, reason, now, (), ()),
                    replace(before, evidence=evidence),
                    must_links=(KeyPair.of(item.a, item.b, reason),),
                )
            else:
                change = StewardChange(
                    Decision("", kind, actor, reason, now, (), ()),
                    before,
                    cannot_links=(
                        KeyPair.of(item.a, item.b, f"review {item.id} {decision_id}: {reason}"),
                    ),
                )
            details = {"item_id": item.id, "a": item.a, "b": item.b}
            decision = self._decision(
                decision_id, kind, actor, reason, before, change.write, (opened, *answered), details
            )
            decision = replace(decision, at=now)
            review = (closed, *change.review)
            stored = self._apply(replace(change, decision=decision, review=review))
        return stored

    def _review_item(self, item_id: int) -> ReviewItem:
        page = self.store.list_review_items(ReviewFilter(status=None, after=item_id - 1, limit=1))
        if not page.items or page.items[0].id != item_id:
            raise NotFound(f"itemId: no review item has the ID {item_id}")
        return page.items[0]

    def undo_decision(self, decision_id: str, *, reason: str, actor: str) -> Decision:
        """Restore exactly the state before a decision, if nothing changed its profiles since."""
        reason = _reason(reason)
        with self._lock:
            original = self.store.get_decisions([decision_id]).get(decision_id)
            if original is None:
                raise NotFound(f"decisionId: no decision has the ID {decision_id!r}")
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
            current = self.store.profile_slice(original.profiles_after)
            if slice_to_json(current) != slice_to_json(original.after):
                later = self._later_decisions(original)
                if original.kind == "split" and not later:
                    return self._merge_back(original, reason, actor)
                raise InvalidInput("decisionId", _changed_since(original, later))
            before = original.before
            kept = {(e.a, e.b, e.source) for e in before.evidence}
            change = StewardChange(
                Decision(
                    new_decision_id(),
                    "undo",
                    actor,
                    reason,
                    _now(),
                    original.profiles_after,
                    original.profiles_before,
                    current,
                    before,
                    details={"undoes": original.id, "undone_kind": original.kind},
                ),
                before,
                remove_profiles=tuple(
                    sorted(set(original.profiles_after) - set(original.profiles_before))
                ),
                remove_aliases=tuple(sorted(set(original.after.aliases) - set(before.aliases))),
                delete_cannot_links=tuple(original.created.get("cannot_link", ())),
                delete_must_links=tuple(original.created.get("must_link", ())),
                delete_merges_of=original.id,
                delete_evidence=tuple(
                    (e.a, e.b, e.source)
                    for e in original.after.evidence
                    if (e.a, e.b, e.source) not in kept
                ),
                review=items_of_pairs(self.store, original.review_before),
                undoes=original.id,
            )
            stored = self._apply(change)
        return stored

    def _later_decisions(self, original: Decision) -> list[str]:
        """The decisions in force, newest first, made after `original` on its profiles."""
        touched = set(original.profiles_after)
        return [
            d.id
            for d in reversed(list(self.all_decisions()))
            if d.seq > original.seq
            and in_force(d)
            and touched & (set(d.profiles_before) | set(d.profiles_after))
        ]

    def _merge_back(self, split: Decision, reason: str, actor: str) -> Decision:
        """Undo a split whose parts new records changed since (see steward_unsplit.py)."""
        now = _now()
        unsplit = plan_unsplit(self.store, self.guard, self.rules, split, reason, actor, now)
        change = unsplit.change
        details = {"undoes": split.id, "undone_kind": split.kind, "merged_back": True}
        decision = self._decision(
            new_decision_id(),
            "undo",
            actor,
            reason,
            unsplit.before,
            change.write,
            unsplit.review_before,
            details,
        )
        return self._apply(replace(change, decision=replace(decision, at=now)))

    # -- the log --------------------------------------------------------------------------
    def decisions(self, first: int = 50, after: int = 0) -> DecisionPage:
        if not 1 <= first <= MAX_DECISION_PAGE:
            raise InvalidInput("first", f"must be between 1 and {MAX_DECISION_PAGE}")
        return self.store.list_decisions(after, first)

    def get_decision(self, decision_id: str) -> Decision:
        found = self.store.get_decisions([decision_id]).get(decision_id)
        if found is None:
            raise NotFound(f"decisionId: no decision has the ID {decision_id!r}")
        return found

    def all_decisions(self) -> Iterator[Decision]:
        for page in decision_pages(self.store):
            yield from page

    # -- helpers --------------------------------------------------------------------------
    def _decision(
        self,
        decision_id: str,
        kind: DecisionKind,
        actor: str,
        reason: str,
        before: GraphSlice,
        after: GraphSlice,
        review_before: tuple[ReviewState, ...] = (),
        details: dict[str, Any] | None = None,
    ) -> Decision:
        return Decision(
            id=decision_id,
            kind=kind,
            actor=actor,
            reason=reason,
            at=_now(),
            profiles_before=tuple(p.id for p in before.profiles),
            profiles_after=tuple(p.id for p in after.profiles),
            before=before,
            after=after,
            review_before=review_before,
            # An undo of a split by merging back is applied again by a replay, where it was
            # made (steward_replay.is_merge_back); an exact undo leaves nothing to apply.
            details=(
                (details or {})
                if kind == "undo" and not (details or {}).get("merged_back")
                else self._positioned(details)
            ),
        )

    def _positioned(self, details: dict[str, Any] | None) -> dict[str, Any]:
        """`details` with where the log stood: a rebuild re-applies the decision there."""
        return {**(details or {}), LOG_POSITION: self.store.last_sequence()}

    def _apply(self, change: StewardChange) -> Decision:
        """Apply and log a decision with its audit entry, in one transaction."""
        return self.store.apply_steward_change(
            replace(change, audit=(decision_entry(change.decision),))
        )


def decision_pages(
    store: GraphStore, size: int = MAX_DECISION_PAGE
) -> Iterator[Sequence[Decision]]:
    """The whole decision log, oldest first, a page of at most `size` at a time."""
    after = 0
    while True:
        page = store.list_decisions(after, size)
        if page.decisions:
            yield page.decisions
        if page.next_after is None or not page.decisions:
            return
        after = page.next_after


def _changed_since(original: Decision, later: list[str]) -> str:
    touched = ", ".join(sorted(original.profiles_after))
    if later:
        return (
            f"profiles {touched} changed after {original.id}: undo {', '.join(later)} first "
            "(newest first)"
        )
    return (
        f"profiles {touched} changed after {original.id} (new observations or merges); it can "
        "no longer be undone exactly — split or merge by hand instead"
    )


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput("reason", "is required: say why, for the audit log")
    return cleaned


def _now() -> datetime:
    return datetime.now(UTC)
