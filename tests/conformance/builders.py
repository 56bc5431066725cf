"""Small builders for the changesets the conformance tests commit, written against the domain only.

They build what the resolution engine would hand a store, without running the engine, so a
store test says exactly which state it commits and which answer it expects back:

    >>> ann = creation("prf_ann", ["email:ann@acme.io", "cookie_id:c-1"], seq=1)
    >>> ann.state.size
    2
    >>> store.commit(ann.changeset)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx

from datora_graph.domain.changeset import (
    Changeset,
    EvidenceStatus,
    EvidenceUpsert,
    Merge,
    NewIdentifier,
    ProfileState,
    ProfileWrite,
    ReviewItemDraft,
)
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Event, Observation, RecordKind, Rejection, iso
from datora_graph.domain.survivorship import (
    AttributeCandidate,
    Candidates,
    add_candidates,
    canonical_json,
)
from datora_graph.store.base import GraphStore

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment `minutes` after T0, so tests read as a timeline."""
    return T0 + timedelta(minutes=minutes)


def observation(
    seq: int,
    keys: Sequence[str],
    *,
    obs_id: str | None = None,
    source: str = "crm",
    observed_at: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
    junk: Iterable[str] = (),
) -> Observation:
    """An observation at log position `seq`; `raw` is its wire JSON, as parsing would keep it."""
    moment = observed_at or at(seq)
    identifiers = tuple(Identifier.from_key(k) for k in keys)
    wire = {
        "id": obs_id or f"obs-{seq}",
        "source": source,
        "observed_at": iso(moment),
        "identifiers": [{"type": i.type, "value": i.value} for i in identifiers],
        "attributes": dict(attributes or {}),
    }
    return Observation(
        id=str(wire["id"]),
        source=source,
        observed_at=moment,
        identifiers=identifiers,
        junk=frozenset(Identifier.from_key(k) for k in junk),
        attributes=dict(attributes or {}),
        raw=json.dumps(wire, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        seq=seq,
    )


def candidates(source: str, seen: datetime, **values: object) -> Candidates:
    """Attribute candidates as one observation from `source` at `seen` would leave them."""
    return {
        name: [AttributeCandidate(canonical_json(value), source, 1, iso(seen), iso(seen))]
        for name, value in values.items()
    }


def type_counts(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        type_name = Identifier.from_key(key).type
        counts[type_name] = counts.get(type_name, 0) + 1
    return counts


def evidence(
    x: str,
    y: str,
    *,
    source: str = "crm",
    count: int = 1,
    first_seen: datetime = T0,
    last_seen: datetime | None = None,
    status: EvidenceStatus = "active",
) -> EvidenceUpsert:
    a, b = sorted((x, y))
    return EvidenceUpsert(a, b, source, count, first_seen, last_seen or first_seen, status=status)


@dataclass(frozen=True, slots=True)
class Seeded:
    """A changeset that creates one profile, and the state the store must then hold for it."""

    changeset: Changeset
    state: ProfileState
    keys: tuple[str, ...]
    attributes: Mapping[str, Any]
    updated_at: datetime


def creation(
    profile_id: str,
    keys: Sequence[str],
    *,
    seq: int,
    observed_at: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
    junk: bool = False,
    source: str = "crm",
) -> Seeded:
    """One observation creating one profile holding `keys`, linked from the first key, as the
    engine would write it (new profiles carry no constraint sides: the store knows those)."""
    moment = observed_at or at(seq)
    attrs = dict(attributes or {})
    obs = observation(
        seq,
        keys,
        source=source,
        observed_at=moment,
        attributes=attrs,
        junk=keys if junk else (),
    )
    state = ProfileState(
        id=profile_id,
        size=len(keys),
        type_counts=type_counts(keys),
        created_seq=seq,
        created_at=moment,
        candidates=candidates(source, moment, **attrs),
        junk=junk,
        updated_at=moment,
    )
    changeset = Changeset(
        observations=[obs],
        new_identifiers=[
            NewIdentifier(Identifier.from_key(k), profile_id, junk, moment) for k in keys
        ],
        profiles=[ProfileWrite(copy_state(state), attrs, moment)],
        evidence=[evidence(keys[0], k, source=source, first_seen=moment) for k in keys[1:]],
    )
    return Seeded(changeset, state, tuple(keys), attrs, moment)


def seed(
    store: GraphStore, profile_id: str, keys: Sequence[str], *, seq: int, **kwargs: Any
) -> Seeded:
    """Commit `creation(...)` to `store` and return what was committed."""
    seeded = creation(profile_id, keys, seq=seq, **kwargs)
    store.commit(seeded.changeset)
    return seeded


def merged_state(survivor: ProfileState, absorbed: ProfileState) -> ProfileState:
    """The survivor's state after absorbing `absorbed`, as the engine computes it."""
    state = copy_state(survivor)
    state.size += absorbed.size
    for type_name, count in absorbed.type_counts.items():
        state.type_counts[type_name] = state.type_counts.get(type_name, 0) + count
    add_candidates(state.candidates, absorbed.candidates)
    state.constraint_sides |= absorbed.constraint_sides
    state.junk = False
    state.updated_at = latest(survivor.updated_at, absorbed.updated_at)
    return state


def latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def merger(
    survivor: ProfileState,
    absorbed: ProfileState,
    *,
    seq: int,
    link: tuple[str, str],
    attributes: Mapping[str, Any] | None = None,
) -> tuple[Changeset, ProfileState]:
    """An observation at `seq` seeing `link` together, which merges `absorbed` into `survivor`."""
    moment = at(seq)
    obs = observation(seq, link, observed_at=moment)
    state = merged_state(survivor, absorbed)
    state.updated_at = latest(state.updated_at, moment)
    assert state.updated_at is not None
    changeset = Changeset(
        observations=[obs],
        merges=[Merge(absorbed.id, survivor.id, obs.id, moment)],
        profiles=[ProfileWrite(copy_state(state), dict(attributes or {}), state.updated_at)],
        evidence=[evidence(*link, first_seen=moment)],
    )
    return changeset, state


def held_link(
    x: str,
    y: str,
    profile_x: str,
    profile_y: str,
    *,
    seq: int,
    source: str = "crm",
    reason: str = "limit: the merge would give one profile 2 crm_id identifiers (at most 1)",
) -> Changeset:
    """An observation linking two profiles that a guard refused: held evidence and a review item."""
    obs = observation(seq, (x, y), source=source)
    (a, profile_a), (b, profile_b) = sorted(((x, profile_x), (y, profile_y)))
    return Changeset(
        observations=[obs],
        evidence=[evidence(a, b, source=source, first_seen=obs.observed_at, status="held")],
        review_items=[
            ReviewItemDraft(
                "held_link", a, b, profile_a, profile_b, reason, obs.id, obs.observed_at
            )
        ],
    )


def event(
    event_id: str,
    keys: Sequence[str],
    occurred_at: datetime,
    *,
    type_: str = "page_view",
    source: str = "web",
    properties: Mapping[str, Any] | None = None,
) -> Event:
    return Event(
        event_id,
        type_,
        occurred_at,
        source,
        tuple(Identifier.from_key(k) for k in keys),
        dict(properties or {}),
    )


def rejection(
    kind: RecordKind,
    payload: str,
    *,
    item_id: str | None = None,
    field: str = "identifiers[0].value",
    reason: str = "email 'ann@' is not an email address (expected local@domain.tld)",
    received_at: datetime = T0,
) -> Rejection:
    return Rejection(kind, item_id, field, reason, payload, received_at)


def copy_state(state: ProfileState) -> ProfileState:
    """A deep copy, so a state the test keeps as the expected answer is never the one committed."""
    return ProfileState(
        id=state.id,
        size=state.size,
        type_counts=dict(state.type_counts),
        created_seq=state.created_seq,
        created_at=state.created_at,
        candidates={name: list(values) for name, values in state.candidates.items()},
        constraint_sides=set(state.constraint_sides),
        junk=state.junk,
        updated_at=state.updated_at,
    )


def assert_profiles_are_components(store: GraphStore, pairs: Iterable[tuple[str, str]]) -> None:
    """With no guard in the way, the profiles are the connected components of the identifier
    pairs sent, and each profile counts exactly the identifiers it holds: what one writer
    would have made of them, whoever sent them and in whatever interleaving."""
    graph: nx.Graph[str] = nx.Graph(pairs)
    owners = store.profile_ids_for_identifiers(list(graph.nodes))
    profiles: dict[str, set[str]] = {}
    for key, profile_id in owners.items():
        profiles.setdefault(profile_id, set()).add(key)
    assert {frozenset(p) for p in profiles.values()} == {
        frozenset(c) for c in nx.connected_components(graph)
    }
    for profile_id, stored in store.get_profiles(list(profiles)).items():
        assert stored.size == len(profiles[profile_id]) == len(stored.identifiers), profile_id
