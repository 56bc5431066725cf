"""The records of others an erasure reaches, and the links of theirs it keeps active.

A kept record of others whose identifiers the records before it connect to the erased
person's may have met profiles the person had joined: its name check (`_name_checked_here`)
and a link it made inside one such profile with no guard asked (`_linked_here`) are kept as
they were live, since a replay without the person meets other profiles (domain/kept_links.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

from networkx.utils import UnionFind

from datora_graph.domain.erasure import LogRedaction, raw_key
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_links import KeptLink, mark_linked
from datora_graph.log_index import LogIndex
from datora_graph.services import GuardPositions, guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.store.base import GraphStore


@dataclass(frozen=True, slots=True)
class ReachedRecord:
    """A logged record of others connected to the person's identifiers by the records before
    it (held and since cut links too: every profile the person could have joined, and some
    more)."""

    seq: int
    payload: str
    observation_id: str
    carried: tuple[str, ...]
    """Its identifiers that link (not junk), by key, in the record's order."""
    together: frozenset[tuple[str, str]]
    """The pairs of `carried` (`a` < `b`) the records before it had connected already: the
    only links of it that may have been made inside one profile."""


def reached_records(
    index: LogIndex,
    registry: IdentifierRegistry,
    keys: Collection[str],
    linked: Collection[str],
    own: Collection[int],
) -> list[ReachedRecord]:
    """The records of others (`own`: the log positions of the person's) among those carrying
    the person's `keys` or an identifier `linked` to them, that the records before them
    connect to the person, oldest first."""
    met = UnionFind(keys)
    found: list[ReachedRecord] = []
    for seq, payload in index.observations_with({*keys, *linked}):
        carried = [
            key
            for raw in json.loads(payload).get("identifiers", ())
            for key, junk in (raw_key(raw, registry),)
            if key is not None and not junk
        ]
        if seq not in own and _reaches(met, keys, carried):
            together = frozenset(
                (x, y) for x, y in combinations(sorted(set(carried)), 2) if met[x] == met[y]
            )
            observation_id = str(json.loads(payload)["id"])
            found.append(ReachedRecord(seq, payload, observation_id, tuple(carried), together))
        met.union(*carried)
    return found


def with_kept_links(
    store: GraphStore,
    registry: IdentifierRegistry,
    reached: Sequence[ReachedRecord],
    redactions: Sequence[LogRedaction],
) -> list[LogRedaction]:
    """`redactions` with every reached record marked with the links it made active live
    between identifiers the records before it had connected (`mark_linked`): those of its
    links (from its anchor, as the engine picks it) no review item was ever opened on and no
    cannot-link names, so no guard held them live."""
    marked = {r.seq: r for r in redactions}
    ends = sorted({key for record in reached for pair in record.together for key in pair})
    if not ends:
        return list(marked.values())
    guards = guard_positions(store, ends)
    asked = {(i.a, i.b) for i in review_items_touching(store, ends, status=None)}
    asked |= {(c.a, c.b) for c in store.list_cannot_links()}
    for record in reached:
        pairs = record.together - asked
        if not pairs:
            continue
        seq = record.seq
        known = marked.get(seq, LogRedaction(seq, record.payload, record.observation_id))
        payload = known.payload
        for a, b in sorted(pairs & _links_of(record, guards, registry)):
            if payload is not None:
                payload = mark_linked(payload, KeptLink(a, b), registry) or payload
        if payload != known.payload:
            marked[seq] = replace(known, payload=payload)
    return list(marked.values())


def _links_of(
    record: ReachedRecord, guards: GuardPositions, registry: IdentifierRegistry
) -> set[tuple[str, str]]:
    """The links the record made live (`a` < `b`): from its anchor, the highest-priority
    identifier not quarantined when it linked (`_open_first` in the engine), to the others."""
    quarantined = guards.quarantined
    before = {
        key
        for key in record.carried
        if key in quarantined
        and (
            quarantined[key] < record.seq
            or (quarantined[key] == record.seq and key not in guards.at_links)
        )
    }
    ranked = sorted(set(record.carried), key=lambda k: (-registry.priority(_type(k)), k))
    open_ = [k for k in ranked if k not in before]
    anchor = (open_ or ranked)[0]
    return {(min(anchor, k), max(anchor, k)) for k in ranked if k != anchor}


def _type(key: str) -> str:
    return key.partition(":")[0]


def _reaches(sets: UnionFind, person: Collection[str], keys: Sequence[str]) -> bool:
    """Whether one of `keys` is in a set (of identifiers the records read so far carried
    together, held and since cut links too) with one of the `person`'s identifiers: every
    profile the person's identifiers could have joined, and some more."""
    roots = {sets[key] for key in person}
    return any(sets[key] in roots for key in keys)
