"""Steward decisions as pure functions: split a profile into parts, merge two profiles.

Given the slice of the graph a decision touches (and, for a split, the logged observations of
the profile's identifiers), these return the profile rows and identifier moves the decision
makes. The service (`steward_service.py`) loads the inputs and hands the result to the store.

Survivorship after a split: each part's golden attributes come from the observations whose
anchor (the highest-priority identifier that is not quarantined, as in the engine) is in that
part, so a part shows what its own identifiers were seen with, by the same rules as the engine.
An identifier counts as quarantined for the observations from the one that quarantined it on
(its stored log position; one quarantined before positions were kept counts for all).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry
from datora_graph.domain.records import Observation, iso
from datora_graph.domain.steward import GraphSlice, ProfileRecord
from datora_graph.domain.survivorship import (
    AttributeCandidate,
    Candidates,
    SurvivorshipRules,
    add_candidate,
    add_candidates,
    canonical_json,
)
from datora_graph.resolution.engine import profile_id_for
from datora_graph.resolution.explain import components


def part_id_for(profile_id: str, decision_id: str, smallest_key: str) -> str:
    """The ID of a part split off `profile_id`: derived from the profile, the decision and the
    part's smallest identifier key, so re-applying the decision names the part alike."""
    digest = hashlib.blake2b(
        f"{profile_id}\x1f{decision_id}\x1f{smallest_key}".encode(), digest_size=10
    ).hexdigest()
    return f"prf_{digest}"


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """The parts of a split profile (the keeper first), and the evidence pairs it cuts."""

    parts: tuple[ProfileRecord, ...]
    members: Mapping[str, tuple[str, ...]]
    cut: tuple[tuple[str, str], ...]


def split_groups(
    slice_: GraphSlice,
    profile_id: str,
    groups: Sequence[Sequence[str]] | None,
    cut_edges: Sequence[tuple[str, str]] | None,
    *,
    redacted: bool = False,
) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """The parts a split request leaves and the pairs it cuts, or InvalidInput naming the bad
    part of the request. With `groups`, an identifier not listed goes with the group it stays
    connected to; with `cut_edges`, the profile falls apart where the given pairs are cut, and
    a pair whose ends stay in one part is refused (cutting it would split nothing). Either way
    every evidence pair between two parts is cut, held ones included: a rebuild re-applies a
    split by its parts, so the parts must say what it cut. A `redacted` split (a rebuild
    re-applying one an erasure took identifiers from) keeps each group one part even where
    it lies in pieces: what joined them was the person's, and the group was one part live."""
    members = set(slice_.members(profile_id))
    edges = [e for e in slice_.evidence if e.a in members and e.b in members]
    if (groups is None) == (cut_edges is None):
        raise InvalidInput("groups", "give either groups or cutEdges, not both or neither")
    if cut_edges is not None:
        pairs = {(e.a, e.b) for e in edges}
        cut: list[tuple[str, str]] = []
        for index, (x, y) in enumerate(cut_edges):
            a, b = sorted((x, y))
            if (a, b) not in pairs:
                raise InvalidInput(
                    f"cutEdges[{index}]", f"{a} and {b} share no evidence in profile {profile_id}"
                )
            cut.append((a, b))
        parts = components(edges, members, cut)
        if len(parts) < 2:
            raise InvalidInput("cutEdges", "cutting these pairs leaves the profile in one piece")
        part_of = {key: p for p, part in enumerate(parts) for key in part}
        for index, (a, b) in enumerate(cut):
            if part_of[a] == part_of[b]:
                raise InvalidInput(
                    f"cutEdges[{index}]",
                    f"{a} and {b} stay in one part through other links: cut those as well, "
                    "or leave this pair out",
                )
        return parts, sorted({(e.a, e.b) for e in edges if part_of[e.a] != part_of[e.b]})
    assert groups is not None
    if len(groups) < 2:
        raise InvalidInput("groups", "a split needs at least two groups")
    owner: dict[str, int] = {}
    for g, group in enumerate(groups):
        if not group:
            raise InvalidInput(f"groups[{g}]", "is empty")
        for i, key in enumerate(group):
            if key not in members:
                raise InvalidInput(f"groups[{g}][{i}]", f"{key} is not in profile {profile_id}")
            if key in owner and owner[key] != g:
                raise InvalidInput(f"groups[{g}][{i}]", f"{key} is also in groups[{owner[key]}]")
            owner[key] = g
    cut = sorted(
        {(e.a, e.b) for e in edges if e.a in owner and e.b in owner and owner[e.a] != owner[e.b]}
    )
    parts = components(edges, members, cut)
    if redacted:
        parts = _joined(parts, groups)
    part_of = {key: p for p, part in enumerate(parts) for key in part}
    for g, group in enumerate(groups):
        spread = {part_of[key] for key in group}
        if len(spread) > 1:
            raise InvalidInput(
                f"groups[{g}]", "is not connected by evidence once the other groups are cut off"
            )
    group_of_part: dict[int, int] = {}
    for g, group in enumerate(groups):
        p = part_of[group[0]]
        if p in group_of_part:
            other = group_of_part[p]
            raise InvalidInput(
                f"groups[{g}]",
                f"stays connected to groups[{other}] through identifiers not listed; "
                "add them to a group",
            )
        group_of_part[p] = g
    return parts, sorted({(e.a, e.b) for e in edges if part_of[e.a] != part_of[e.b]})


def _joined(
    pieces: Sequence[tuple[str, ...]], groups: Sequence[Sequence[str]]
) -> list[tuple[str, ...]]:
    """`pieces` with those holding identifiers of one group made one part (two groups that
    share a piece end in one part, which `split_groups` then refuses), each sorted, in order
    of their smallest key."""
    import networkx as nx  # imported where used: resolution/explain.py says why

    piece_of = {key: p for p, piece in enumerate(pieces) for key in piece}
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(len(pieces)))
    for group in groups:
        nx.add_path(graph, [piece_of[key] for key in group])
    return sorted(
        tuple(sorted(key for p in together for key in pieces[p]))
        for together in nx.connected_components(graph)
    )


def plan_split(
    slice_: GraphSlice,
    profile_id: str,
    parts: Sequence[Sequence[str]],
    cut: Sequence[tuple[str, str]],
    decision_id: str,
    observations: Sequence[Observation],
    registry: IdentifierRegistry,
    rules: SurvivorshipRules,
    names: Mapping[str, str] | None = None,
    quarantined: Mapping[str, int] | None = None,
) -> SplitPlan:
    """The rows of the parts (`quarantined`: the keys the engine anchors no attributes at
    from the given log position on). The part holding the identifier that created the profile keeps
    its ID (found in the log; else the part with the earliest-seen identifier); others get
    `part_id_for` IDs, or the ID `names` gives any of their keys (a rebuild re-applying)."""
    original = slice_.profile(profile_id)
    if original is None:
        raise InvalidInput("profileId", f"{profile_id} is not a current profile")
    origin = _origin_key(slice_, profile_id, observations)
    ordered = sorted(parts, key=lambda part: (origin not in part, part[0]))
    ids: list[str] = []
    for index, part in enumerate(ordered):
        named = next((names[k] for k in part if names and k in names), None)
        if named is not None:
            ids.append(named)
        elif index == 0:
            ids.append(profile_id)
        else:
            ids.append(part_id_for(profile_id, decision_id, min(part)))
    part_of = {key: ids[i] for i, part in enumerate(ordered) for key in part}
    folded = _fold(observations, part_of, registry, quarantined or {})
    records = []
    for index, part in enumerate(ordered):
        pid = ids[index]
        seen = folded.get(pid, _Fold())
        # The part keeping the profile's ID keeps its creation; a replay may name the first
        # part otherwise (an erasure took the part that kept the ID live), and a part the
        # split created live was created by its own first record, not the profile's.
        keeper = pid == profile_id
        created_at = original.created_at if keeper else min(slice_.first_seen[k] for k in part)
        type_counts: dict[str, int] = {}
        for key in part:
            type_name = key.partition(":")[0]
            type_counts[type_name] = type_counts.get(type_name, 0) + 1
        records.append(
            ProfileRecord(
                id=pid,
                size=len(part),
                type_counts=dict(sorted(type_counts.items())),
                created_seq=original.created_seq if keeper else (seen.first_seq or 0),
                created_at=created_at,
                updated_at=seen.updated_at or created_at,
                junk=all(k in slice_.junk for k in part),
                attributes=rules.golden(seen.candidates),
                candidates=seen.candidates,
            )
        )
    members = {ids[i]: tuple(sorted(part)) for i, part in enumerate(ordered)}
    return SplitPlan(tuple(records), members, tuple(sorted(cut)))


@dataclass(slots=True)
class _Fold:
    candidates: Candidates = field(default_factory=dict)
    first_seq: int | None = None
    updated_at: datetime | None = None


def _fold(
    observations: Sequence[Observation],
    part_of: Mapping[str, str],
    registry: IdentifierRegistry,
    quarantined: Mapping[str, int],
) -> dict[str, _Fold]:
    """Per part: the candidates of the observations anchored in it, the first log position
    and the latest time any of its identifiers was observed."""
    folded: dict[str, _Fold] = {}
    for observation in sorted(observations, key=lambda o: o.seq):
        touched = {part_of[i.key] for i in observation.identifiers if i.key in part_of}
        for pid in touched:
            fold = folded.setdefault(pid, _Fold())
            if fold.first_seq is None:
                fold.first_seq = observation.seq
            if fold.updated_at is None or observation.observed_at > fold.updated_at:
                fold.updated_at = observation.observed_at
        anchor = attribute_anchor(observation, registry, quarantined)
        if anchor is None or anchor.key not in part_of or not observation.attributes:
            continue
        fold = folded.setdefault(part_of[anchor.key], _Fold())
        seen = iso(observation.observed_at)
        for name, value in observation.attributes.items():
            candidate = AttributeCandidate(canonical_json(value), observation.source, 1, seen, seen)
            add_candidate(fold.candidates, name, candidate)
    return folded


def attribute_anchor(
    observation: Observation,
    registry: IdentifierRegistry,
    quarantined: Mapping[str, int] | None = None,
) -> Identifier | None:
    """The identifier the engine folds an observation's attributes into (see engine.py): the
    first in link order (highest priority, then key) that is neither junk nor quarantined
    (`quarantined`: since which log position); None when every one is either (the engine then
    folds them nowhere)."""
    since = quarantined or {}
    open_ = [
        i
        for i in observation.identifiers
        if i not in observation.junk and since.get(i.key, observation.seq + 1) > observation.seq
    ]
    if not open_:
        return None
    return min(open_, key=lambda i: (-registry.priority(i.type), i.key))


def _origin_key(slice_: GraphSlice, profile_id: str, observations: Sequence[Observation]) -> str:
    members = slice_.members(profile_id)
    for observation in sorted(observations, key=lambda o: o.seq):
        for identifier in observation.identifiers:
            key = identifier.key
            if key in members and profile_id_for(observation.id, key) == profile_id:
                return key
    return min(members, key=lambda k: (slice_.first_seen[k], k))


def plan_merge(
    left: ProfileRecord, right: ProfileRecord, rules: SurvivorshipRules, keep: str = ""
) -> tuple[ProfileRecord, str]:
    """The merged profile and the absorbed ID. The survivor is the one whose ID is `keep`,
    else the engine's: the larger, the older (earlier in the log) among equals, then the
    smaller ID."""

    def rank(record: ProfileRecord) -> tuple[bool, int, int, str]:
        return (record.id != keep, -record.size, record.created_seq, record.id)

    survivor, absorbed = (left, right) if rank(left) <= rank(right) else (right, left)
    candidates: Candidates = dict(survivor.candidates)
    add_candidates(candidates, absorbed.candidates)
    type_counts = dict(survivor.type_counts)
    for type_name, count in absorbed.type_counts.items():
        type_counts[type_name] = type_counts.get(type_name, 0) + count
    merged = ProfileRecord(
        id=survivor.id,
        size=survivor.size + absorbed.size,
        type_counts=dict(sorted(type_counts.items())),
        created_seq=survivor.created_seq,
        created_at=survivor.created_at,
        updated_at=max(survivor.updated_at, absorbed.updated_at),
        junk=False,
        attributes=rules.golden(candidates),
        candidates=candidates,
    )
    return merged, absorbed.id
