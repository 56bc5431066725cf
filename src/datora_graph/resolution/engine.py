"""The resolution engine: a batch of observations and a snapshot in, a changeset out. No I/O.

Observations are resolved one at a time, in log order, so the outcome does not depend on how
the log is cut into batches: replaying the same log gives the same profiles and IDs.

Each observation links its highest-priority identifier that is not quarantined (the anchor)
to every other identifier it carries, trying the others from the highest priority down, so
when a limit is reached the links held are those through the lowest-priority identifiers. A
link between two profiles merges them (union by size: the larger survives, the older among
equals) unless a guard refuses (see guards.py): then the link is kept as `held` evidence with
a review item, unless a cannot-link names the link's two identifiers: a steward has already
answered for that very pair (rejected its review item, or split the link or the two parts
apart), and asking again would only refill the queue each time a source re-sends the record.
A merge answers the open review items the batch opened whose two ends it puts in one profile:
the changeset names each with the observation that joined them (`AnsweredItem`), for the
store to close (answered_items.py); `answered_by_merges` there does the same for the stored
items, which the snapshot does not carry (see `services.answer_stored_items`).
Junk identifiers are recorded, each in a profile of its own, and never link.
Quarantined identifiers are linked like the others, but their links are held. Before an
observation links anything, an identifier it ties to a profile whose first names all
disagree with its own is quarantined (name_conflicts.py): a family email, not a person's. A
record an erasure rewrote or marked is resolved as its marks ask: quarantines, hub joins,
holds and links it made live, and items it answered live (kept_marks.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from datora_graph.domain.cannot_links import facing_constraint
from datora_graph.domain.changeset import (
    Changeset,
    EvidenceStatus,
    EvidenceUpsert,
    IdentifierGuardState,
    Merge,
    NewIdentifier,
    OpenReviewItem,
    ProfileState,
    ProfileWrite,
    ReviewItemDraft,
    Snapshot,
)
from datora_graph.domain.identifiers import GuardSettings, Identifier, IdentifierRegistry
from datora_graph.domain.kept_links import KeptLink
from datora_graph.domain.records import KEPT_QUARANTINE_REASON, Observation, iso
from datora_graph.domain.survivorship import (
    AttributeCandidate,
    SurvivorshipRules,
    add_candidate,
    add_candidates,
    canonical_json,
)
from datora_graph.resolution.answered_items import AnswerWaits
from datora_graph.resolution.guards import MergeGuard, Refusal
from datora_graph.resolution.kept_marks import kept_hold, kept_refusal, linked_live
from datora_graph.resolution.name_conflicts import NAME_ATTRIBUTE, candidate_text, name_conflicts


def profile_id_for(observation_id: str, identifier_key: str) -> str:
    """A new profile's ID: derived from what created it, so a replay creates the same ID."""
    digest = hashlib.blake2b(
        f"{observation_id}\x1f{identifier_key}".encode(), digest_size=10
    ).hexdigest()
    return f"prf_{digest}"


@dataclass(slots=True)
class _Batch:
    """The engine's working state for one batch: union-find over profile IDs plus outputs."""

    owner: dict[str, str]
    states: dict[str, ProfileState]
    key_constraints: Mapping[str, set[tuple[int, int]]]
    guards: dict[str, IdentifierGuardState]
    parent: dict[str, str] = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
    new_identifiers: dict[str, NewIdentifier] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    evidence: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)
    """(a, b, source) → [count, first_seen, last_seen, status]; made EvidenceUpserts at the end."""
    review: dict[tuple[str, str], ReviewItemDraft] = field(default_factory=dict)
    held_now: list[tuple[str, str]] = field(default_factory=list)
    waiting: AnswerWaits = field(default_factory=AnswerWaits)
    """The review items the batch opened, until a merge answers them."""
    guards_changed: set[str] = field(default_factory=set)
    joined_now: set[str] = field(default_factory=set)
    """The keys the observation being resolved counted a join for."""

    def find(self, profile_id: str) -> str:
        root = profile_id
        while root in self.parent:
            root = self.parent[root]
        while profile_id != root:
            self.parent[profile_id], profile_id = root, self.parent[profile_id]
        return root

    def profile_of(self, key: str) -> str:
        return self.find(self.owner[key])

    def touch(self, profile_id: str, moment: datetime) -> None:
        state = self.states[profile_id]
        if state.updated_at is None or moment > state.updated_at:
            state.updated_at = moment
        self.dirty.add(profile_id)


class ResolutionEngine:
    """Resolves observations into profiles under the guards of a `MergeGuard`."""

    def __init__(
        self,
        registry: IdentifierRegistry,
        rules: SurvivorshipRules,
        guards: GuardSettings | None = None,
    ) -> None:
        self._registry = registry
        self._rules = rules
        self._guard = MergeGuard(registry, guards)
        self._rank = {name: -t.priority for name, t in registry.types.items()}
        self._limited = frozenset(registry.limits())
        self._name_conflicts = self._guard.settings.name_conflicts
        self._joins_kept = self._guard.settings.hub_max_profiles

    def _link_order(self, identifier: Identifier) -> tuple[int, str]:
        """Highest priority first, then by key; a type the registry does not know ranks 0."""
        return self._rank.get(identifier.type, 0), identifier.key

    def resolve(self, observations: Sequence[Observation], snapshot: Snapshot) -> Changeset:
        """Resolve `observations` (in log order, each with its `seq`) against `snapshot`."""
        batch = _Batch(
            owner=dict(snapshot.identifiers),
            states={pid: _copy(state) for pid, state in snapshot.profiles.items()},
            key_constraints=snapshot.key_constraints,
            guards=dict(snapshot.identifier_guards),
        )
        for observation in observations:
            self._resolve_one(batch, observation)
        return self._changeset(batch, observations)

    def _resolve_one(self, batch: _Batch, observation: Observation) -> None:
        owner, junk = batch.owner, observation.junk
        for identifier in observation.identifiers:
            if identifier.key not in owner:
                self._create(batch, observation, identifier, bool(junk) and identifier in junk)
        if observation.quarantines:
            _keep_quarantines(batch, observation.quarantines, observation.seq)
        linkable = (
            [i for i in observation.identifiers if i not in junk]
            if junk
            else observation.identifiers
        )
        if linkable and not observation.unlinked:
            if len(linkable) > 1:
                linkable = sorted(linkable, key=self._link_order)
                # A record marked `name_checked` keeps its outcome live in `quarantines`.
                checks = self._name_conflicts and not observation.name_checked
                if checks and observation.attributes:
                    self._quarantine_name_conflicts(batch, observation, linkable)
                if batch.guards:
                    linkable = _open_first(batch, linkable)
            anchor = linkable[0]
            at_links = observation.link_quarantines
            for other in linkable[1:]:
                if at_links and other in at_links:
                    _keep_quarantines(batch, (other,), observation.seq)
                self._link(batch, observation, anchor, other)
            if observation.attributes and not _quarantined(batch, anchor.key):
                self._add_attributes(batch, observation, batch.profile_of(anchor.key))
            elif observation.attributes_redacted and not _quarantined(batch, anchor.key):
                # Its attributes dated the profile's last update live (records.py).
                batch.touch(batch.profile_of(anchor.key), observation.observed_at)
        for item in observation.answers:
            self._answer(batch, observation, item)
        if observation.link_quarantines:  # those it does not link (now) too
            _keep_quarantines(batch, observation.link_quarantines, observation.seq)
        for identifier in observation.joins:
            if identifier.key in batch.owner and identifier.key not in batch.joined_now:
                self._count_join(batch, identifier.key, "", True, observation.seq)
        if batch.held_now:
            _settle_review_items(batch)
        batch.fresh.clear()
        batch.joined_now.clear()

    def _quarantine_name_conflicts(
        self, batch: _Batch, observation: Observation, linkable: list[Identifier]
    ) -> None:
        seen = observation.attributes.get(NAME_ATTRIBUTE)
        if not isinstance(seen, str) or not seen.strip():
            return

        def names_of(identifier: Identifier) -> list[str]:
            candidates = batch.states[batch.profile_of(identifier.key)].candidates
            return [candidate_text(c.value) for c in candidates.get(NAME_ATTRIBUTE, ())]

        open_ones = [i for i in linkable if not _quarantined(batch, i.key)]
        for conflict in name_conflicts(seen, open_ones, names_of, self._limited):
            _quarantine(batch, conflict.identifier.key, conflict.reason, observation.seq)

    def _create(
        self, batch: _Batch, observation: Observation, identifier: Identifier, junk: bool
    ) -> None:
        profile_id = profile_id_for(observation.id, identifier.key)
        moment = observation.observed_at
        sides = batch.key_constraints.get(identifier.key)
        batch.states[profile_id] = ProfileState(
            profile_id,
            1,
            {identifier.type: 1},
            observation.seq,
            moment,
            {},
            set(sides) if sides else set(),
            junk,
            moment,
        )
        batch.owner[identifier.key] = profile_id
        batch.fresh.add(profile_id)
        batch.dirty.add(profile_id)
        batch.new_identifiers[identifier.key] = NewIdentifier(identifier, profile_id, junk, moment)

    def _link(
        self, batch: _Batch, observation: Observation, anchor: Identifier, other: Identifier
    ) -> None:
        left, right = batch.profile_of(anchor.key), batch.profile_of(other.key)
        status: EvidenceStatus = "active"
        if left != right:
            joins_existing = right not in batch.fresh
            refusal = self._guard.check_link(
                anchor,
                other,
                (batch.states[left], batch.states[right]),
                (batch.guards.get(anchor.key), batch.guards.get(other.key)),
                joins_existing,
            )
            hold = kept_hold(observation, anchor.key, other.key) if observation.holds else None
            if hold is not None:
                refusal = kept_refusal(hold, refusal)
            if observation.links and linked_live(observation, anchor, other):
                refusal, joins_existing = None, False  # no guard was asked live, no join counted
                hold = None
            if refusal is None:
                self._merge(batch, observation, left, right)
            else:
                status = "held"
                self._hold(batch, observation, anchor, other, (left, right), refusal)
            counted = joins_existing and _counts(refusal)
            if hold is not None and hold.joined is not None:
                counted = hold.joined  # another guard may have refused it live (kept_holds.py)
            quarantine = refusal.quarantine if refusal is not None else ""
            if joins_existing or counted or quarantine:
                self._count_join(batch, other.key, quarantine, counted, observation.seq)
        self._record_evidence(batch, observation, anchor.key, other.key, status)

    def _answer(self, batch: _Batch, observation: Observation, item: KeptLink) -> None:
        """Merge the profiles of a review item's ends, which the record joined live through
        an erased person (`Observation.answers`): the merge answers the item by this record,
        as live. No guard is asked and no join counted: live, the link through the person did
        both, and what it counted on others' identifiers an erasure keeps (`.joins`)."""
        if item.a not in batch.owner or item.b not in batch.owner:
            return  # an end the current settings no longer accept
        left, right = batch.profile_of(item.a), batch.profile_of(item.b)
        if left != right:
            self._merge(batch, observation, left, right)

    def _count_join(
        self, batch: _Batch, key: str, quarantine: str, counted: bool, seq: int
    ) -> None:
        """A link through `key` met another profile: when it `counted` a join towards the hub
        bound (`_counts`), count it, keeping the position of the first ones (the record's log
        position `seq`); quarantine `key` when the refusal says so (`quarantine`, its reason)."""
        known = batch.guards.get(key) or IdentifierGuardState(key)
        if counted:
            seqs = known.join_seqs
            if len(seqs) < self._joins_kept:
                seqs = (*seqs, seq)
            known = replace(known, joins=known.joins + 1, join_seqs=seqs)
            batch.joined_now.add(key)
        batch.guards[key] = known
        batch.guards_changed.add(key)
        if quarantine:
            _quarantine(batch, key, quarantine, seq)

    def _merge(self, batch: _Batch, observation: Observation, left: str, right: str) -> None:
        survivor, absorbed = _survivor_first(batch, left, right)
        into, gone = batch.states[survivor], batch.states.pop(absorbed)
        into.size += gone.size
        for type_name, count in gone.type_counts.items():
            into.type_counts[type_name] = into.type_counts.get(type_name, 0) + count
        add_candidates(into.candidates, gone.candidates)
        into.constraint_sides |= gone.constraint_sides
        into.junk = False
        if gone.updated_at is not None:
            batch.touch(survivor, gone.updated_at)
        batch.parent[absorbed] = survivor
        batch.waiting.merged(absorbed, survivor, observation.id, batch.find)
        batch.touch(survivor, observation.observed_at)
        if absorbed in batch.fresh:
            batch.fresh.discard(absorbed)
        else:
            batch.merges.append(Merge(absorbed, survivor, observation.id, observation.observed_at))

    def _hold(
        self,
        batch: _Batch,
        observation: Observation,
        anchor: Identifier,
        other: Identifier,
        profiles: tuple[str, str],
        refusal: Refusal,
    ) -> None:
        a, b = sorted((anchor.key, other.key))
        profile_a, profile_b = profiles if a == anchor.key else profiles[::-1]
        if (a, b) in batch.review or _named_apart(batch, a, b):
            return
        batch.held_now.append((a, b))
        batch.waiting.wait(OpenReviewItem(a, b, profile_a, profile_b))
        batch.review.setdefault(
            (a, b),
            ReviewItemDraft(
                "held_link",
                a,
                b,
                profile_a,
                profile_b,
                refusal.reason,
                observation.id,
                observation.observed_at,
                refusal.guard,
                observation.source,
                refusal.suggested_action,
                refusal.constraint_id,
            ),
        )

    def _record_evidence(
        self, batch: _Batch, observation: Observation, x: str, y: str, status: EvidenceStatus
    ) -> None:
        key = (x, y, observation.source) if x < y else (y, x, observation.source)
        seen = observation.observed_at
        known = batch.evidence.get(key)
        if known is None:
            batch.evidence[key] = [1, seen, seen, status]
        else:
            known[0] += 1
            if seen < known[1]:
                known[1] = seen
            if seen > known[2]:
                known[2] = seen
            known[3] = status

    def _add_attributes(self, batch: _Batch, observation: Observation, profile_id: str) -> None:
        seen = iso(observation.observed_at)
        source = observation.source
        state = batch.states[profile_id]
        candidates = state.candidates
        for name, value in observation.attributes.items():
            add_candidate(
                candidates, name, AttributeCandidate(_canonical(value), source, 1, seen, seen)
            )
        batch.touch(profile_id, observation.observed_at)

    def _changeset(self, batch: _Batch, observations: Sequence[Observation]) -> Changeset:
        live = sorted({batch.find(pid) for pid in batch.dirty})
        golden = self._rules.golden
        profiles = []
        for pid in live:
            state = batch.states[pid]
            profiles.append(ProfileWrite(state, golden(state.candidates), _updated_at(state)))
        new_identifiers = []
        for key, new in batch.new_identifiers.items():
            profile_id = batch.profile_of(key)
            if profile_id != new.profile_id:
                new = NewIdentifier(new.identifier, profile_id, new.junk, new.first_seen)
            new_identifiers.append(new)
        evidence = [
            EvidenceUpsert(a, b, source, count, first, last, status=status)
            for (a, b, source), (count, first, last, status) in batch.evidence.items()
        ]
        return Changeset(
            observations=list(observations),
            new_identifiers=new_identifiers,
            merges=batch.merges,
            profiles=profiles,
            evidence=evidence,
            review_items=list(batch.review.values()),
            answered=batch.waiting.answers(),
            identifier_guards=[batch.guards[key] for key in sorted(batch.guards_changed)],
        )


_CANONICAL_STRINGS: dict[str, str] = {}
_CANONICAL_CACHE_SIZE = 65_536


def _canonical(value: object) -> str:
    """`canonical_json`, remembered for strings: names, cities and postcodes repeat."""
    if type(value) is not str:
        return canonical_json(value)
    text = _CANONICAL_STRINGS.get(value)
    if text is None:
        if len(_CANONICAL_STRINGS) >= _CANONICAL_CACHE_SIZE:
            _CANONICAL_STRINGS.clear()
        text = _CANONICAL_STRINGS[value] = canonical_json(value)
    return text


def _keep_quarantines(batch: _Batch, kept: Sequence[Identifier], seq: int) -> None:
    """Quarantine what the record at log position `seq` quarantined live: before it links
    anything, as the name-conflict guard does (`Observation.quarantines`), or at the link
    that did it live (`Observation.link_quarantines`)."""
    for identifier in kept:
        if identifier.key in batch.owner:
            _quarantine(batch, identifier.key, KEPT_QUARANTINE_REASON, seq)


def _counts(refusal: Refusal | None) -> bool:
    """Whether a link that joins an existing profile counts towards the hub bound: merged or
    held, unless a steward (a cannot-link) or the size bound held it."""
    return refusal is None or refusal.guard in ("hub", "quarantine", "limit")


def _named_apart(batch: _Batch, a: str, b: str) -> bool:
    """Whether a cannot-link has `a` on one side and `b` on the other."""
    sides_a, sides_b = batch.key_constraints.get(a), batch.key_constraints.get(b)
    if not sides_a or not sides_b:
        return False
    return facing_constraint(sides_a, sides_b) is not None


def _quarantine(batch: _Batch, key: str, reason: str, seq: int) -> None:
    """Quarantine `key` for `reason` from log position `seq` on, unless it is already."""
    known = batch.guards.get(key) or IdentifierGuardState(key)
    if not known.quarantined:
        batch.guards[key] = replace(known, quarantined=True, reason=reason, quarantined_seq=seq)
        batch.guards_changed.add(key)


def _quarantined(batch: _Batch, key: str) -> bool:
    state = batch.guards.get(key)
    return state is not None and state.quarantined


def _open_first(batch: _Batch, linkable: list[Identifier]) -> list[Identifier]:
    """The identifiers in link order, the quarantined ones last: a quarantined identifier is
    never the anchor while the observation carries another one."""
    quarantined = [i for i in linkable if _quarantined(batch, i.key)]
    if not quarantined:
        return linkable
    return [i for i in linkable if not _quarantined(batch, i.key)] + quarantined


def _settle_review_items(batch: _Batch) -> None:
    """A review item names the profiles as they stand once its observation is resolved: a
    profile the observation created and then folded away would otherwise be named, and such
    a profile leaves no alias behind."""
    for pair in batch.held_now:
        item = batch.review[pair]
        batch.review[pair] = replace(
            item, profile_a=batch.find(item.profile_a), profile_b=batch.find(item.profile_b)
        )
    batch.held_now.clear()


def _survivor_first(batch: _Batch, left: str, right: str) -> tuple[str, str]:
    """Union by size: an existing profile beats one this observation created; then the larger;
    then the older; then the smaller ID, so the outcome never depends on argument order.
    Between two profiles the observation created, the anchor's (`left`) survives."""

    left_fresh, right_fresh = left in batch.fresh, right in batch.fresh
    if left_fresh and right_fresh:
        return left, right

    def rank(pid: str) -> tuple[bool, int, int, str]:
        state = batch.states[pid]
        return (pid in batch.fresh, -state.size, state.created_seq, pid)

    return (left, right) if rank(left) <= rank(right) else (right, left)


def _copy(state: ProfileState) -> ProfileState:
    return ProfileState(
        id=state.id,
        size=state.size,
        type_counts=dict(state.type_counts),
        created_seq=state.created_seq,
        created_at=state.created_at,
        # Candidate lists are replaced, never changed in place (see add_candidates), so the
        # copy may share them with the snapshot.
        candidates=dict(state.candidates),
        constraint_sides=set(state.constraint_sides),
        junk=state.junk,
        updated_at=state.updated_at,
    )


def _updated_at(state: ProfileState) -> datetime:
    return state.updated_at if state.updated_at is not None else state.created_at
