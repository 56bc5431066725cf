"""The records an erasure reaches, and the links of theirs it keeps active.

A kept record of others whose identifiers the records before it connect to the erased
person's may have met profiles the person had joined: its name check (`_name_checked_here`)
and a link it made inside one such profile with no guard asked (`_linked_here`) are kept as
they were live, since a replay without the person meets other profiles (domain/kept_links.py).
A record of the person's own, rewritten to keep the others' identifiers it carried, keeps
such a link between two of those too: its anchor linked them live inside the profile the
person had joined, and the rewritten record links them in a replay from the same place.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from datora_graph.domain.erasure import LogRedaction, raw_key
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_links import KeptLink, mark_linked
from datora_graph.domain.record_marks import UNLINKED
from datora_graph.domain.steward import Decision
from datora_graph.log_index import LogIndex
from datora_graph.services import GuardPositions, guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.steward_placement import merged_back, merged_back_pairs, placements, woken_at
from datora_graph.store.base import GraphStore

if TYPE_CHECKING:
    from networkx.utils import UnionFind


@dataclass(frozen=True, slots=True)
class ReachedRecord:
    """A logged record of others connected to the person's identifiers by the records before
    it (held and since cut links too: every profile the person could have joined, and some
    more), or one of the person's own (`own`)."""

    seq: int
    payload: str
    observation_id: str
    carried: tuple[str, ...]
    """Its identifiers that link (not junk), by key, in the record's order."""
    sets: Mapping[str, str]
    """Each of `carried` with the identifier naming the set the records before it had
    connected it into: a link of it may have been made inside one profile only to an
    identifier of the anchor's set, or of a set an earlier link of it had joined."""
    own: bool = False
    """One of the person's records: `payload` and `carried` are as logged live, before the
    erasure rewrites it; only its links between identifiers it keeps are marked."""


def reached_records(
    index: LogIndex,
    registry: IdentifierRegistry,
    keys: Collection[str],
    linked: Collection[str],
    own: Collection[int],
) -> list[ReachedRecord]:
    """The records of others (`own`: the log positions of the person's) among those carrying
    the person's `keys` or an identifier `linked` to them, that the records before them
    connect to the person, and the person's own (`ReachedRecord.own`), oldest first."""
    from networkx.utils import UnionFind  # imported where used: resolution/explain.py says why

    met = UnionFind(keys)
    found: list[ReachedRecord] = []
    for seq, payload in index.observations_with({*keys, *linked}):
        item = json.loads(payload)
        carried = [
            key
            for raw in item.get("identifiers", ())
            for key, junk in (raw_key(raw, registry),)
            if key is not None and not junk
        ]
        mine = seq in own
        if mine or _reaches(met, keys, carried):
            sets = {key: met[key] for key in carried}
            found.append(ReachedRecord(seq, payload, str(item["id"]), tuple(carried), sets, mine))
        met.union(*carried)
    return found


def with_kept_links(
    store: GraphStore,
    registry: IdentifierRegistry,
    reached: Sequence[ReachedRecord],
    redactions: Sequence[LogRedaction],
    decisions: Sequence[Decision],
) -> list[LogRedaction]:
    """`redactions` with every reached record marked with the links it made active live
    inside one profile, as far as the records before it and its own earlier links tell
    (`mark_linked`): those of its links (from its anchor, as the engine picks it) no review
    item was ever opened on and no cannot-link holding at the record names (`_forbidden`:
    made before it, and not merged back by then), so no guard held them live, and that
    joined no two profiles live (`_links_inside`). A record of the person's own is marked on
    its rewritten text, with those of its links both ends of which it keeps. One whose
    anchor an erasure took (`_unlinked_here`) links nothing in a replay and is left as it
    is."""
    marked = {r.seq: r for r in redactions}
    # Every identifier of them: a quarantined one decides which is the anchor.
    ends = sorted({key for r in reached if _sets_met(r) for key in r.carried})
    if not ends:
        return list(marked.values())
    guards = guard_positions(store, ends)
    asked = {(i.a, i.b) for i in review_items_touching(store, ends, status=None)}
    forbidden = _forbidden(store, decisions)
    for record in reached:
        pairs = _links_inside(record, guards, registry) - asked if _sets_met(record) else set()
        pairs = {pair for pair in pairs if not _held_at(forbidden.get(pair, ()), record.seq)}
        if not pairs:
            continue
        seq = record.seq
        known = marked.get(seq, LogRedaction(seq, record.payload, record.observation_id))
        payload = known.payload
        if payload is None or json.loads(payload).get(UNLINKED) is True:
            continue
        for a, b in sorted(pairs):
            payload = mark_linked(payload, KeptLink(a, b), registry) or payload
        if payload != known.payload:
            marked[seq] = replace(known, payload=payload)
    return list(marked.values())


def _forbidden(
    store: GraphStore, decisions: Sequence[Decision]
) -> dict[tuple[str, str], list[tuple[int, int | None]]]:
    """Each pair a cannot-link names, with the spans of log positions it held over: after
    the position its decision was made at (0: from the start, as a replay holds one no
    positioned decision made), up to the position a merge-back deleted it at (None: it
    holds still). One made after a record did not hold its link live: the sets
    `_links_inside` reads join records across splits, so a constraint from a split before
    the record is what tells its ends were apart then (held live), while one from a later
    split is re-applied after the record in a replay too, where the mark keeps the join the
    link never counted live. A split merged back before the erasure left no row, but held
    the records between apart live, as a replay does (`merged_back_pairs`)."""
    placed = list(placements(decisions, merged_back(decisions)))
    woken = woken_at(placed)
    forbidden: dict[tuple[str, str], list[tuple[int, int | None]]] = {}
    for constraint in store.list_cannot_links():
        pair = (constraint.a, constraint.b)
        forbidden.setdefault(pair, []).append((woken.get(constraint.id, 0), None))
    for pair, start, end in merged_back_pairs(placed):
        forbidden.setdefault(pair, []).append((start, end))
    return forbidden


def _held_at(spans: Iterable[tuple[int, int | None]], seq: int) -> bool:
    """Whether one of a pair's cannot-link `spans` (`_forbidden`) held the record at log
    position `seq`: made before it, and not yet merged back."""
    return any(start < seq and (end is None or seq <= end) for start, end in spans)


def _sets_met(record: ReachedRecord) -> bool:
    """Whether two identifiers of the record were in one set before it: else none of its
    links was made inside one profile."""
    return len(set(record.sets.values())) < len(record.sets)


def _links_inside(
    record: ReachedRecord, guards: GuardPositions, registry: IdentifierRegistry
) -> set[tuple[str, str]]:
    """The links the record made live (`a` < `b`) that may have been inside one profile: from
    its anchor, the highest-priority identifier not quarantined when it linked (`_open_first`
    in the engine), to each other in the engine's order whose set the anchor's profile held
    by then (the anchor's own, or one an earlier link of the record joined: e0 and e1 sent
    with the phone, e1 already with the phone, link e0-the phone inside e0's profile). Not one
    whose other end counted a hub join at the record: that link joined two profiles live (the
    sets connect through held or since cut links too), and a replay must count the join again."""
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
    order = [k for k in ranked if k not in before] + [k for k in ranked if k in before]
    anchor, sets, counted = order[0], record.sets, guards.joined
    joined, inside = {sets[anchor]}, set()
    for key in order[1:]:
        if sets[key] in joined and record.seq not in counted.get(key, ()):
            inside.add((min(anchor, key), max(anchor, key)))
        joined.add(sets[key])
    return inside


def _type(key: str) -> str:
    return key.partition(":")[0]


def _reaches(sets: UnionFind, person: Collection[str], keys: Sequence[str]) -> bool:
    """Whether one of `keys` is in a set (of identifiers the records read so far carried
    together, held and since cut links too) with one of the `person`'s identifiers: every
    profile the person's identifiers could have joined, and some more."""
    roots = {sets[key] for key in person}
    return any(sets[key] in roots for key in keys)
