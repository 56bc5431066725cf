"""An in-memory model of the store, for engine tests: the port's semantics, nothing more.

`snapshot(keys)` answers like `GraphStore.load_snapshot` and `apply(changeset)` like
`GraphStore.commit`: new identifiers are placed, merges move identifiers and aliases to the
survivor and delete the absorbed profile, a profile write replaces the profile's state,
evidence is added to what is recorded (a `cut` status stays cut), and there is at most one
review item per identifier pair. Cannot-link constraints are kept per identifier pair and
turned into `constraint_sides` of the profiles a snapshot returns, as the SQLite store does.

    >>> model = GraphModel()
    >>> resolve_in_batches(engine, model, observations, cuts=[10, 20])  # doctest: +SKIP
    >>> model.partition()                                               # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from datora_graph.domain.changeset import (
    Changeset,
    EvidenceUpsert,
    IdentifierGuardState,
    OpenReviewItem,
    ProfileState,
    ReviewItemDraft,
    Snapshot,
)
from datora_graph.domain.records import Observation
from datora_graph.resolution.engine import ResolutionEngine
from datora_graph.services import answer_stored_items


@dataclass(slots=True)
class StoredProfile:
    state: ProfileState
    attributes: dict[str, object]
    updated_at: datetime


@dataclass(slots=True)
class GraphModel:
    """The stored graph: identifier key → profile ID, profiles, aliases, evidence, review items."""

    identifiers: dict[str, str] = field(default_factory=dict)
    junk: dict[str, bool] = field(default_factory=dict)
    profiles: dict[str, StoredProfile] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    evidence: dict[tuple[str, str, str], EvidenceUpsert] = field(default_factory=dict)
    review_items: dict[tuple[str, str], ReviewItemDraft] = field(default_factory=dict)
    answered: dict[tuple[str, str], str] = field(default_factory=dict)
    """(a, b) → the observation that answered the pair's review item (it is no longer open)."""
    cannot_link: dict[int, tuple[str, str]] = field(default_factory=dict)
    guards: dict[str, IdentifierGuardState] = field(default_factory=dict)
    log: list[Observation] = field(default_factory=list)

    # -- the port -------------------------------------------------------------------------
    def snapshot(self, keys: Collection[str]) -> Snapshot:
        identifiers = {k: self.identifiers[k] for k in keys if k in self.identifiers}
        profiles = {pid: _copy(self.profiles[pid].state) for pid in set(identifiers.values())}
        for state in profiles.values():
            state.constraint_sides = set()
            state.updated_at = self.profiles[state.id].updated_at
        for constraint_id, pair in self.cannot_link.items():
            for side, key in enumerate(pair):
                owner = self.identifiers.get(key)
                if owner in profiles:
                    profiles[owner].constraint_sides.add((constraint_id, side))
        return Snapshot(
            identifiers,
            profiles,
            key_constraints=self._key_constraints(keys),
            identifier_guards={k: self.guards[k] for k in keys if k in self.guards},
        )

    def open_review_items_between(self, profile_ids: Collection[str]) -> list[OpenReviewItem]:
        wanted = set(profile_ids)
        return [
            OpenReviewItem(a, b, self.identifiers[a], self.identifiers[b])
            for a, b in self.review_items
            if (a, b) not in self.answered
            and self.identifiers[a] in wanted
            and self.identifiers[b] in wanted
            and self.identifiers[a] != self.identifiers[b]
        ]

    def apply(self, changeset: Changeset) -> None:
        self.log.extend(changeset.observations)
        for new in changeset.new_identifiers:
            assert new.identifier.key not in self.identifiers, f"{new.identifier.key} added twice"
            self.identifiers[new.identifier.key] = new.profile_id
            self.junk[new.identifier.key] = new.junk
        for merge in changeset.merges:
            for key, pid in self.identifiers.items():
                if pid == merge.absorbed:
                    self.identifiers[key] = merge.survivor
            for alias, pid in self.aliases.items():
                if pid == merge.absorbed:
                    self.aliases[alias] = merge.survivor
            self.aliases[merge.absorbed] = merge.survivor
            self.profiles.pop(merge.absorbed, None)
        for write in changeset.profiles:
            known = self.profiles.get(write.state.id)
            updated = write.updated_at if known is None else max(known.updated_at, write.updated_at)
            self.profiles[write.state.id] = StoredProfile(
                _copy(write.state), dict(write.attributes), updated
            )
        for upsert in changeset.evidence:
            self._add_evidence(upsert)
        for item in changeset.review_items:
            self.review_items.setdefault((item.a, item.b), item)
        for answer in changeset.answered:
            pair = (answer.a, answer.b)
            assert pair in self.review_items, pair
            assert pair not in self.answered, pair
            self.answered[pair] = answer.observation_id
            for key, e in self.evidence.items():
                if key[:2] == pair and e.status == "held":
                    self.evidence[key] = dataclasses.replace(e, status="active")
        for guard in changeset.identifier_guards:
            self.guards[guard.key] = guard

    def add_cannot_link(self, a: str, b: str) -> int:
        constraint_id = len(self.cannot_link) + 1
        self.cannot_link[constraint_id] = (min(a, b), max(a, b))
        return constraint_id

    def last_sequence(self) -> int:
        return self.log[-1].seq if self.log else 0

    # -- reads ----------------------------------------------------------------------------
    def quarantined(self) -> set[str]:
        return {key for key, guard in self.guards.items() if guard.quarantined}

    def members(self, profile_id: str) -> set[str]:
        return {k for k, pid in self.identifiers.items() if pid == profile_id}

    def profile_of(self, key: str) -> str:
        return self.identifiers[key]

    def same_profile(self, *keys: str) -> bool:
        return len({self.identifiers[k] for k in keys}) == 1

    def partition(self) -> set[frozenset[str]]:
        """The profiles as sets of identifier keys: what order and batching must not change."""
        groups: dict[str, set[str]] = defaultdict(set)
        for key, pid in self.identifiers.items():
            groups[pid].add(key)
        return {frozenset(g) for g in groups.values()}

    def attributes(self, profile_id: str) -> dict[str, object]:
        return self.profiles[profile_id].attributes

    def evidence_between(self, x: str, y: str) -> list[EvidenceUpsert]:
        a, b = sorted((x, y))
        return [e for (ea, eb, _), e in self.evidence.items() if (ea, eb) == (a, b)]

    def inconsistencies(self) -> list[str]:
        """Where the stored profile states disagree with the identifiers they hold."""
        problems: list[str] = []
        by_profile: dict[str, list[str]] = defaultdict(list)
        for key, pid in self.identifiers.items():
            by_profile[pid].append(key)
        for pid, keys in by_profile.items():
            stored = self.profiles.get(pid)
            if stored is None:
                problems.append(f"{keys} point at missing profile {pid}")
                continue
            counts = dict(Counter(k.partition(":")[0] for k in keys))
            if stored.state.size != len(keys) or stored.state.type_counts != counts:
                problems.append(
                    f"{pid}: state says size {stored.state.size} {stored.state.type_counts}, "
                    f"holds {len(keys)} {counts}"
                )
        empty = set(self.profiles) - by_profile.keys()
        problems.extend(f"{pid} holds no identifier" for pid in empty)
        problems.extend(
            f"alias {alias} points at missing profile {pid}"
            for alias, pid in self.aliases.items()
            if pid not in self.profiles
        )
        return problems

    def _key_constraints(self, keys: Collection[str]) -> dict[str, set[tuple[int, int]]]:
        """The sides of every asked key, whether or not the identifier exists yet."""
        sides: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for constraint_id, pair in self.cannot_link.items():
            for side, key in enumerate(pair):
                if key in keys:
                    sides[key].add((constraint_id, side))
        return dict(sides)

    def _add_evidence(self, upsert: EvidenceUpsert) -> None:
        key = (upsert.a, upsert.b, upsert.source)
        known = self.evidence.get(key)
        if known is None:
            self.evidence[key] = upsert
            return
        self.evidence[key] = dataclasses.replace(
            known,
            count=known.count + upsert.count,
            first_seen=min(known.first_seen, upsert.first_seen),
            last_seen=max(known.last_seen, upsert.last_seen),
            kind=upsert.kind,
            status="cut" if known.status == "cut" else upsert.status,
        )


def resolve_batch(
    engine: ResolutionEngine, model: GraphModel, observations: Sequence[Observation]
) -> Changeset:
    """What the service does with one batch: snapshot what it touches, resolve, answer the
    stored review items its merges answered, commit."""
    keys = {i.key for o in observations for i in o.identifiers}
    snapshot = model.snapshot(keys)
    changeset = answer_stored_items(model, snapshot, engine.resolve(observations, snapshot))
    model.apply(changeset)
    return changeset


def resolve_in_batches(
    engine: ResolutionEngine,
    model: GraphModel,
    observations: Sequence[Observation],
    cuts: Iterable[int] = (),
) -> None:
    """Resolve the log cut before each index in `cuts`, applying each changeset in turn."""
    inner = sorted({c for c in cuts if 0 < c < len(observations)})
    bounds = [0, *inner, len(observations)]
    for start, end in itertools.pairwise(bounds):
        resolve_batch(engine, model, observations[start:end])


def _copy(state: ProfileState) -> ProfileState:
    return dataclasses.replace(
        state,
        type_counts=dict(state.type_counts),
        candidates={name: list(values) for name, values in state.candidates.items()},
        constraint_sides=set(state.constraint_sides),
    )
