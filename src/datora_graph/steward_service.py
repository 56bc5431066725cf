"""Data stewards' use cases: explain a profile, split it, merge by hand, resolve review items,
undo any of those, and re-apply them all after a rebuild.

>>> stewards = StewardService(identity_service)                            # doctest: +SKIP
>>> decision = stewards.split_profile("prf_1", groups=[["email:a@x.io"], ["email:b@x.io"]],
...                                   reason="shared kiosk", actor="ann")  # doctest: +SKIP
>>> stewards.undo_decision(decision.id, reason="wrong profile", actor="ann")  # doctest: +SKIP

Every decision is written with its entry in the decision log (before and after state) in one
store transaction, under the identity service's write lock, so ingest never interleaves; the
log, how an entry is made and how it is read back, is steward_log.py. Undo and its policy
(exactly, by merging a split back, or refused naming why) is steward_undo.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.profiles import ANSWERED, ReviewFilter, ReviewItem
from datora_graph.domain.steward import (
    Decision,
    DecisionKind,
    DecisionPage,
    KeyPair,
    ReviewState,
    StewardChange,
)
from datora_graph.log_index import LogIndex
from datora_graph.resolution import explain as paths
from datora_graph.resolution.guards import MergeGuard
from datora_graph.resolution.steward import split_groups
from datora_graph.services import IdentityService
from datora_graph.steward_changes import (
    GraphChanges,
    accept_items_merged,
    closed_by_split,
)
from datora_graph.steward_log import (
    apply_decision,
    decision_page,
    decision_pages,
    decision_reason,
    decision_time,
    find_decision,
    new_decision,
    new_decision_id,
)
from datora_graph.steward_undo import undo


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
        reason = decision_reason(reason)
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
            now = decision_time()
            closed, opened = closed_by_split(self.store, cut, actor, now, reason)
            decision = new_decision(
                self.store, decision_id, "split", actor, reason, before, change[0], opened, details
            )
            decision = replace(decision, at=now)
            stored = apply_decision(
                self.store, replace(change[2], decision=decision, review=closed)
            )
        return stored

    def merge_profiles(self, a: str, b: str, *, reason: str, actor: str) -> Decision:
        """Merge two profiles (IDs or aliases) now and record a must-link between them; the
        open review items it answers (both ends in the merged profile) close as accepted, and
        an undo opens them again."""
        reason = decision_reason(reason)
        with self._lock:
            profile_a = self._current_profile(a, "a")
            profile_b = self._current_profile(b, "b")
            if profile_a == profile_b:
                raise InvalidInput("b", f"{b} is already the same profile as {a} ({profile_a})")
            decision_id = new_decision_id()
            before = self.store.profile_slice([profile_a, profile_b])
            key_a, key_b = min(before.members(profile_a)), min(before.members(profile_b))
            now = decision_time()
            change = self.changes.merge(
                before, profile_a, profile_b, key_a, key_b, reason, "b", at=now
            )
            merged = change.write.assignments[key_a]
            change, opened = accept_items_merged(
                self.store, change, merged, decision_id, actor, reason, at=now
            )
            details = {"a": key_a, "b": key_b}
            decision = new_decision(
                self.store,
                decision_id,
                "manual_merge",
                actor,
                reason,
                before,
                change.write,
                opened,
                details,
            )
            decision = replace(decision, at=now)
            stored = apply_decision(self.store, replace(change, decision=decision))
        return stored

    def resolve_review_item(
        self, item_id: int, accept: bool, *, reason: str, actor: str
    ) -> Decision:
        """Accept (merge the two profiles, a must-link; the held evidence becomes active) or
        reject (a cannot-link between the two identifiers) an open review item. A merge closes
        the other open items it answers too, as `merge_profiles` does."""
        reason = decision_reason(reason)
        with self._lock:
            item = self._review_item(item_id)
            if item.status == ANSWERED:
                # An erasure names a removed record by its fingerprint (`unnamed_observation`).
                record = item.answered_by
                if not record.startswith("erased observation "):
                    record = f"observation {record}"
                raise InvalidInput(
                    "itemId",
                    f"review item {item_id} is answered, not open: {record} "
                    f"put {item.a} and {item.b} in one profile "
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
            now = decision_time()
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
                change, answered = accept_items_merged(
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
            decision = new_decision(
                self.store,
                decision_id,
                kind,
                actor,
                reason,
                before,
                change.write,
                (opened, *answered),
                details,
            )
            decision = replace(decision, at=now)
            review = (closed, *change.review)
            stored = apply_decision(self.store, replace(change, decision=decision, review=review))
        return stored

    def _review_item(self, item_id: int) -> ReviewItem:
        page = self.store.list_review_items(ReviewFilter(status=None, after=item_id - 1, limit=1))
        if not page.items or page.items[0].id != item_id:
            raise NotFound(f"itemId: no review item has the ID {item_id}")
        return page.items[0]

    def undo_decision(self, decision_id: str, *, reason: str, actor: str) -> Decision:
        """Restore exactly the state before a decision, if nothing changed its profiles since
        (else merge a split back, or refuse: see steward_undo.py)."""
        reason = decision_reason(reason)
        with self._lock:
            return undo(self.store, self.guard, self.rules, decision_id, reason, actor)

    # -- the log (steward_log.py) ----------------------------------------------------------
    def decisions(self, first: int = 50, after: int = 0) -> DecisionPage:
        return decision_page(self.store, first, after)

    def get_decision(self, decision_id: str) -> Decision:
        return find_decision(self.store, decision_id)

    def all_decisions(self) -> Iterator[Decision]:
        for page in decision_pages(self.store):
            yield from page
