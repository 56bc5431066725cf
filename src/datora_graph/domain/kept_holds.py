"""Held links an erasure keeps held: the mark on a logged record, and how a replay reads it.

A link a per-type limit (or the size bound) held live may have been held only because the
erased person's identifiers had put something of the limited type in one end's profile (a
cookie that brought a second user account into the CRM customer's profile); a steward's
cannot-link from one of the person's identifiers, only because that identifier was in one
end's profile, and the constraint goes with them. Replayed without them, nothing refuses the
link, and the rebuilt graph would merge what the live one keeps apart for review. So the
erasure marks every logged record that held such a link under `KEPT_HOLDS` (`mark_held`),
with the pair and the refusal's guard, reason and suggested action as the review item shows
them, and the engine holds that record's link for that reason whatever the guards say now
(`Observation.holds`; a quarantine the same guard makes now is still made).
A record inside the hold's span may have been refused live by another guard as well, which
decides whether its link counted a hub join (a limit's does, a cannot-link's not): the
mark says whether it did (`joined`, from the link's ends' `join_seqs`; `joined_live`), and
the replay counts the join as the mark says, whatever guard it holds the link for.
The marks are written by an erasure only: the wire format refuses unknown keys, so no client
can send one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datora_graph.domain.identifiers import IdentifierRegistry, logged_identifier
from datora_graph.domain.json_text import compact_json

if TYPE_CHECKING:  # changeset.py imports records.py, which imports this module
    from datora_graph.domain.changeset import GuardName

KEPT_HOLDS = "_held_here"
"""The key under which an erasure keeps, in a logged record, the links it held live: a list
of `{"a", "b", "guard", "reason", "suggested_action"}` and, when known, `"joined"` (a bool),
each end an identifier as the record carries it (`{"type", "value"}` as sent)."""

HELD_GUARDS: dict[str, GuardName] = {
    "limit": "limit",
    "max_size": "max_size",
    "cannot_link": "cannot_link",
}
"""The guards whose holds an erasure keeps: they count what a profile holds, which may have
been the erased person's, and a cannot-link's when an end of its constraint was the person's
(the erasure keeps only those: `erasure_holds._holds_near`). A quarantine's hold is kept by its
quarantine (`KEPT_QUARANTINES`), a cannot-link's between others by the steward decision that
made it."""


@dataclass(frozen=True, slots=True)
class KeptHold:
    """A link a logged record held live, by normalised keys (`a` < `b`), with its refusal."""

    a: str
    b: str
    guard: GuardName
    reason: str
    suggested_action: str
    joined: bool | None = None
    """Whether the record's link counted a hub join live; None when not known (a mark an
    older erasure wrote, or one past the joins an identifier keeps positions of): then the
    hold's guard decides, as it would live."""


def joined_live(seq: int, join_seqs: Sequence[tuple[int, ...]], kept: int) -> bool | None:
    """Whether the record at log position `seq` counted a hub join on one of a link's ends,
    each end's join positions in `join_seqs` (the first `kept` ones of each, `join_seqs`). A
    record counts a join only on the lower end of a link it makes, so a position among
    either end's is its link's. None when an end's positions are all taken before `seq`: a
    join there is not kept, nor needed (past the bound, joins change nothing)."""
    if any(seq in seqs for seqs in join_seqs):
        return True
    if any(len(seqs) >= kept and seqs[-1] < seq for seqs in join_seqs):
        return None
    return False


def kept_holds(items: object, registry: IdentifierRegistry) -> tuple[KeptHold, ...]:
    """The holds a logged record's `KEPT_HOLDS` list names; one the current settings no
    longer accept an end of, or that is malformed, is left out."""
    found: list[KeptHold] = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        ends = sorted(set(pair_ends(item, registry)))
        guard = HELD_GUARDS.get(str(item.get("guard")))
        reason, action = item.get("reason"), item.get("suggested_action")
        joined = item.get("joined")
        if len(ends) == 2 and guard and isinstance(reason, str) and isinstance(action, str):
            known = joined if isinstance(joined, bool) else None
            found.append(KeptHold(ends[0], ends[1], guard, reason, action, known))
    return tuple(found)


def mark_held(payload: str, hold: KeptHold, registry: IdentifierRegistry) -> str | None:
    """A logged record's text with `hold` added to the links it keeps as held by it; None when
    it does not carry both ends or marks the pair already."""
    fields: dict[str, str | bool] = {
        "guard": hold.guard,
        "reason": hold.reason,
        "suggested_action": hold.suggested_action,
    }
    if hold.joined is not None:
        fields["joined"] = hold.joined
    return mark_pair(payload, KEPT_HOLDS, (hold.a, hold.b), fields, registry)


def mark_pair(
    payload: str,
    mark: str,
    pair: tuple[str, str],
    fields: Mapping[str, str | bool],
    registry: IdentifierRegistry,
) -> str | None:
    """A logged record's text with the link `pair` (normalised keys) added under `mark`, its
    ends as the record carries them and `fields` beside them; None when it does not carry both
    ends or marks the pair there already."""
    item = json.loads(payload)
    kept = list(item.get(mark, ()))
    if any(set(pair_ends(k, registry)) == set(pair) for k in kept):
        return None
    carried: dict[str, Any] = {}
    for raw in item.get("identifiers", ()):
        key = _key(raw, registry)
        if key is not None and key in pair:
            carried.setdefault(key, raw)
    if len(carried) != 2:
        return None
    item[mark] = [*kept, {"a": carried[pair[0]], "b": carried[pair[1]], **fields}]
    return compact_json(item)


def links_without(
    items: Sequence[Any], keys: Collection[str], registry: IdentifierRegistry
) -> list[Any]:
    """A list of marked links (`KEPT_HOLDS`, `KEPT_LINKS`, `KEPT_ANSWERS`) without those an
    end of which is among the erased `keys`."""
    return [item for item in items if not any(k in keys for k in pair_ends(item, registry))]


def pair_ends(item: Any, registry: IdentifierRegistry) -> Iterator[str]:
    """The normalised keys of a marked link's ends (`{"a", "b", ...}`) the settings accept."""
    if isinstance(item, dict):
        for end in (item.get("a"), item.get("b")):
            key = _key(end, registry)
            if key is not None:
                yield key


def _key(raw: object, registry: IdentifierRegistry) -> str | None:
    parsed = logged_identifier(raw, registry)
    return None if parsed is None else parsed.identifier.key
