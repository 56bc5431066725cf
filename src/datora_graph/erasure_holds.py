"""The links an erasure keeps held for a replay: those a per-type limit, the size bound or a
cannot-link naming the person held live, on the records of others that carried both ends.

Live, the person's identifiers may be what the guard counted; a replay without them would link
what live held. So every record that held such a link, over the span its review item was open,
is marked `_held_here` (domain/kept_holds.py) with the item's guard, reason and action and
whether its link counted a hub join, and the engine holds it there
(resolution/kept_marks.py). Split out of erasure_service.py, which calls `with_kept_holds`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace

from datora_graph.domain.cannot_links import ERASED_CONSTRAINT_REASON, held_by_constraint
from datora_graph.domain.erasure import LogRedaction
from datora_graph.domain.erasure_decisions import taken_out
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_holds import HELD_GUARDS, KeptHold, joined_live, mark_held
from datora_graph.domain.profiles import ReviewItem
from datora_graph.domain.steward import Decision
from datora_graph.log_index import LogIndex
from datora_graph.services import guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.steward_placement import log_position_of, merged_back, replayed
from datora_graph.steward_split_pairs import merged_back_constraints
from datora_graph.store.base import GraphStore


def with_kept_holds(
    store: GraphStore,
    registry: IdentifierRegistry,
    hub_max_profiles: int,
    linked: set[str],
    keys: set[str],
    redactions: Sequence[LogRedaction],
    decisions: Sequence[Decision],
) -> list[LogRedaction]:
    """`redactions` with every record that held a link to a `linked` identifier by a limit,
    the size bound or a cannot-link from the person (`keys`) marked with it (`mark_held`): the
    person's identifiers may be what the guard counted, and a replay must hold it all the
    same. Marked: the records that carry both ends, from the one that opened its review
    item to the end of its span (`_span_end`), each with whether its link counted a hub
    join live (`joined_live`): another guard may have refused it there."""
    marked = {r.seq: r for r in redactions}
    merged = merged_back(decisions)
    holds = list(_holds_near(store, linked, keys, decisions, merged))
    limited = set(registry.limits())
    applied = [d for d in decisions if replayed(d, merged)]  # read once for every hold
    ends = {k for hold, _ in holds for k in (hold.a, hold.b)}
    joins, kept = guard_positions(store, ends).joined, hub_max_profiles
    for hold, item in holds:
        opened: int | None = None
        until: int | None = None
        counted = _counted(hold, limited, keys)
        for seq, payload in LogIndex(store, registry).observations_with({hold.a}):
            observation_id = str(json.loads(payload)["id"])
            if opened is None and observation_id == item.observation_id:
                opened, until = seq, _span_end(store, item, applied, hold, seq, counted)
            known = marked.get(seq, LogRedaction(seq, payload, observation_id))
            if opened is None or known.payload is None:
                continue  # earlier records did not hold it; a removed one holds nothing
            if until is not None and seq > until:
                break
            joined = joined_live(seq, [joins.get(k, ()) for k in (hold.a, hold.b)], kept)
            held = mark_held(known.payload, replace(hold, joined=joined), registry)
            if held is not None:
                marked[seq] = replace(known, payload=held)
    return list(marked.values())


def _span_end(
    store: GraphStore,
    item: ReviewItem,
    applied: Sequence[Decision],
    hold: KeptHold,
    opened: int,
    counted: Callable[[str], bool],
) -> int | None:
    """The log position of the last record that may have held `item`'s link live, the
    item opened at log position `opened`; None when any up to the log's end may have.
    While the item is open, every record that carried both ends held their link live:
    one that linked them, or any that joined their profiles, answered it. So the span runs
    up to the record that answered it, or to the end when it is still open, whatever a
    split took out meanwhile: a later record may have brought in again what the guard
    counts (a split cut U1 off C1, U4 came, and C1 with U2 was held again, by U4), or
    another of it stayed in the profile (a steward merge had put U3 there too). One a
    steward closed runs to the end too: after a reject the constraint holds the link,
    after an accept the ends are one profile, and the mark changes nothing but keeps the
    live hold's count (ending at the reject left a hub join uncounted). A split is where it
    ends (`_cut_off`) only when that is all that is known: the answering record is no
    longer named (an earlier erasure's)."""
    if item.status != "answered":
        return None
    answering = store.logged_observation(item.answered_by)
    if answering is not None and answering[0] > opened:
        return answering[0] - 1
    return _cut_off(applied, hold, opened, counted)


def _holds_near(
    store: GraphStore,
    linked: set[str],
    keys: set[str],
    decisions: Sequence[Decision],
    merged: Collection[str],
) -> Iterator[tuple[KeptHold, ReviewItem]]:
    """The holds of a limit, the size bound or a cannot-link with an end among the
    person's `keys` on a link touching a `linked` identifier, with each one's review item
    (the record that opened it, what closed it), oldest first; a cannot-link's with the reason
    its item gets once the constraint is gone. A cannot-link between others is made
    again by the steward decision that made it, and holds again by itself. One a split
    merged back since made may have been the person's (`merged_back_constraints`: the
    merge-back deleted its row), which a replay does not write again (`with_kept_pairs`)."""
    theirs = {c.id for c in store.list_cannot_links() if c.a in keys or c.b in keys}
    theirs |= merged_back_constraints(decisions, merged, keys)
    for item in review_items_touching(store, sorted(linked), status=None):
        guard = HELD_GUARDS.get(item.guard)
        if guard == "cannot_link" and held_by_constraint(item) not in theirs:
            continue
        if item.kind == "held_link" and guard and item.a not in keys and item.b not in keys:
            reason = ERASED_CONSTRAINT_REASON if guard == "cannot_link" else item.reason
            hold = KeptHold(item.a, item.b, guard, reason, item.suggested_action)
            yield hold, item


def _counted(
    hold: KeptHold, limited: Collection[str], keys: Collection[str]
) -> Callable[[str], bool]:
    """Whether an identifier is one the guard of `hold` counts: one of a `limited` type for a
    limit, one of the person's `keys` for a cannot-link (only the erased end of its constraint
    made it refuse), any for the size bound."""
    if hold.guard == "limit":
        return lambda key: key.partition(":")[0] in limited
    if hold.guard == "cannot_link":
        return lambda key: key in keys
    return lambda key: True


def _cut_off(
    applied: Sequence[Decision], hold: KeptHold, opened: int, counted: Callable[[str], bool]
) -> int | None:
    """The log position of the first of the decisions a replay applies (`applied`, as
    `replayed` tells), at or after log position `opened`, that took out of an end's profile
    (a split) an identifier the guard of `hold` `counted`. Until then the profiles only grew
    for that guard, which refused the link again; after it, the replayed decision leaves them
    as they were live, but for the person. A decision undone exactly is no cut-off: a replay
    applies neither it nor its undo (which records no log position), and the undo wrote back
    the profiles as they were before it, no record having changed them meanwhile, so the
    guard refused again live after it (an undone merge had only grown them; an undone
    split's undo put back what it took out). A split merged back is replayed, and stays one. An
    earlier erasure's person it took out counts by type (`taken_out`): redacted, the split no
    longer names them, but it ended the span all the same."""
    for decision in applied:
        position = log_position_of(decision)
        if position is None or position < opened:
            continue
        for end in (hold.a, hold.b):
            if any(counted(k) for k in taken_out(decision, end)):
                return position
    return None
