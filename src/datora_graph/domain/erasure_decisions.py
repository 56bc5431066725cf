"""What an erasure leaves of the steward decisions that named the person.

A decision is what a steward asked for, and a rebuild or `datora migrate` asks again. Deleting
every decision that named one of the person's identifiers undid more than the person: a split
of someone else's profile from the person's lost the ID it gave the part that stayed, and a
rebuild then derived another. So a decision is redacted instead: the person's identifiers go
from what the steward asked for and from the state it kept, and the rest stays for a rebuild
to apply again. Only a decision with nothing left to apply goes: a rejection between the
person and someone else, or one whose every identifier was the person's.

A redacted decision no longer holds the state before it, so it cannot be undone
(`REDACTED_BY` names the erasure's audit entry, for the steward told so). The attributes of a
profile that held one of the person's identifiers are dropped from the kept state, and a
reason that quotes one of them is replaced: the erasure errs on the side of the person asking.

What a later erasure still needs of the person's identifiers in the state is kept without
them (`ERASED_MOVES`): their type and the profiles they were in before and after, so that it
can tell a split took one a guard counts out of a profile (`taken_out`), as it did live.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from itertools import count
from typing import Any

from datora_graph.domain.steward import Decision, GraphSlice

REDACTED_BY = "redacted_by"
"""The key of a redacted decision's `details` holding the erasure's audit entry ID."""

REDACTED_REASON = "(redacted by an erasure: the reason named an erased identifier)"

STAND_INS = "stand_ins"
"""The key of a redacted merge's `details` naming the ends ("a", "b") that stand in for an
erased identifier: no steward joined them, so a replay merges their profiles without a link."""

ERASED_MOVES = "erased_moves"
"""The key of a redacted decision's `details` keeping, for each erased identifier its state
held before it, `{"type", "before", "after"}`: its type and the IDs of the profiles it was in
before and after the decision (None when in none), never its value. An earlier erasure's are
kept beside a later one's. Read by `taken_out`; a decision redacted before they were kept has
none, and reads as it did then."""

KEPT_PAIRS = "kept_pairs"
"""The key of a redacted split's `details` naming the pairs (`[a, b]`, `a` < `b`) its
cannot-links named live that no erased identifier is an end of, when a merge-back had undone
it: a replay writes those until the merge-back. Worked out again from the redacted parts, the
pair of two parts' smallest identifiers would name another pair where the smallest was erased,
and hold silently a link live held with a review item."""


KEPT_MERGES = "kept_merges"
"""The key of a redacted split's `details` listing the merge notes the erasure kept live that
absorbed an alias the split's state keeps (`{"absorbed", "survivor", "observation_id", "at",
"reason"}`: profile, record and decision IDs, a time, and a reason that quotes no erased
identifier): a replay may not make the merge again (the erasure rewrote its record, or deleted
its decision) though the re-applied split restores the alias, and writes those it lacks."""

OWN_MERGES = "own_merges"
"""The key of a redacted merge's, accepted review item's or merge-back's `details` listing
the notes of its own merges the erasure kept live (as `KEPT_MERGES` lists them, none when the
erasure deleted them all): a replay of the redacted decision merges other profiles than live
did (the erased identifier's profile is gone, an end stands in) and would note merges live
never noted, so it writes these instead. A decision redacted before they were kept has none,
and a replay notes what it merges."""


def redact_decision(
    decision: Decision,
    keys: Collection[str],
    audit_id: str,
    mentions: Callable[[str, Collection[str]], bool],
) -> Decision | None:
    """`decision` without the erased identifier `keys`; None when nothing of it is left to
    apply again, or the decision itself when it never named them. `mentions` tells whether a
    text quotes one of the keys (`erasure.mentions_any`)."""
    erased = set(keys)
    if not (_names(decision.before, erased) or _names(decision.after, erased)):
        return decision
    details = _details(decision, erased)
    if details is None:
        return None
    reason = REDACTED_REASON if mentions(decision.reason, erased) else decision.reason
    return replace(
        decision,
        reason=reason,
        before=redact_slice(decision.before, erased),
        after=redact_slice(decision.after, erased),
        review_before=tuple(
            r for r in decision.review_before if r.a not in erased and r.b not in erased
        ),
        details={**details, **_moves(decision, erased), REDACTED_BY: audit_id},
    )


def taken_out(decision: Decision, key: str) -> set[str]:
    """The identifiers `decision` took out of the profile `key` was in before it (a split
    cut them off): those its state names, and for each erased one (`ERASED_MOVES`) a stand-in
    `type:(erased N)` that tells only its type. Empty when `key` was in no profile."""
    before, after = decision.before.assignments.get(key), decision.after.assignments.get(key)
    if before is None:
        return set()

    def left(profile: str | None, now: str | None) -> bool:
        return profile == before and (after is None or now != after)

    out = {
        k
        for k, p in decision.before.assignments.items()
        if left(p, decision.after.assignments.get(k))
    }
    numbers = count(1)
    for move in _kept_moves(decision):
        if left(move["before"], move["after"]):
            out.add(f"{move['type']}:(erased {next(numbers)})")
    return out


def stands_in(decision: Decision) -> bool:
    """Whether an end of the merge `decision` stands in for an erased identifier: the link
    the steward made went with the person, and a replay writes none between the stand-ins."""
    return bool(decision.details.get(STAND_INS))


def redacted_by(decision: Decision) -> str | None:
    """The audit entry of the erasure that redacted `decision`; None when none did."""
    value = decision.details.get(REDACTED_BY)
    return value if isinstance(value, str) else None


def redact_slice(slice_: GraphSlice, erased: set[str]) -> GraphSlice:
    """The slice without the `erased` identifiers, their evidence, and the attributes of any
    profile that held one of them."""
    touched = {pid for key, pid in slice_.assignments.items() if key in erased}
    return GraphSlice(
        tuple(
            replace(p, attributes={}, candidates={}) if p.id in touched else p
            for p in slice_.profiles
        ),
        {k: p for k, p in slice_.assignments.items() if k not in erased},
        dict(slice_.aliases),
        tuple(e for e in slice_.evidence if e.a not in erased and e.b not in erased),
        {k: t for k, t in slice_.first_seen.items() if k not in erased},
        frozenset(slice_.junk - erased),
    )


def _moves(decision: Decision, erased: set[str]) -> dict[str, list[dict[str, str | None]]]:
    """`ERASED_MOVES` of `decision` with those of the `erased` identifiers its state held
    before it added; sorted, so that nothing of their order by value is left."""
    moves = [
        {
            "type": key.partition(":")[0],
            "before": profile,
            "after": decision.after.assignments.get(key),
        }
        for key, profile in decision.before.assignments.items()
        if key in erased
    ]
    kept = [*_kept_moves(decision), *moves]
    if not kept:
        return {}
    return {ERASED_MOVES: sorted(kept, key=lambda m: tuple(str(v) for v in m.values()))}


def _kept_moves(decision: Decision) -> list[dict[str, str | None]]:
    """The well-formed `ERASED_MOVES` of `decision`, as an earlier erasure kept them."""
    found: list[dict[str, str | None]] = []
    for move in decision.details.get(ERASED_MOVES, ()):
        if isinstance(move, dict) and isinstance(move.get("type"), str):
            found.append({name: move.get(name) for name in ("type", "before", "after")})
    return found


def _names(slice_: GraphSlice, erased: set[str]) -> bool:
    return bool(erased & set(slice_.assignments)) or any(
        e.a in erased or e.b in erased for e in slice_.evidence
    )


def _details(decision: Decision, erased: set[str]) -> dict[str, Any] | None:
    """What the steward asked for, without the erased identifiers; None when nothing is left
    to apply again."""
    details = dict(decision.details)
    if decision.kind == "undo":
        return details
    if decision.kind == "split":
        parts: Mapping[str, list[str]] = details["parts"]
        kept = {pid: [k for k in part if k not in erased] for pid, part in parts.items()}
        kept = {pid: part for pid, part in kept.items() if part}
        if not kept:
            return None
        return {**details, "parts": kept}
    a, b = str(details["a"]), str(details["b"])
    if a not in erased and b not in erased:
        return details
    if decision.kind == "review_reject":
        return None  # the person was one side of it: nothing is left to keep apart
    # A merge joined two profiles: another identifier each held then names it as well.
    stand_a, stand_b = _stand_in(decision.before, a, erased), _stand_in(decision.before, b, erased)
    if stand_a is None or stand_b is None:
        return None
    # An earlier erasure's stand-in is one still.
    ends = {*details.get(STAND_INS, ()), *(end for end in "ab" if details[end] in erased)}
    return {**details, "a": stand_a, "b": stand_b, STAND_INS: sorted(ends)}


def _stand_in(before: GraphSlice, key: str, erased: set[str]) -> str | None:
    """`key`, or when it is erased the smallest identifier its profile held that is not."""
    if key not in erased:
        return key
    profile = before.assignments.get(key)
    others = sorted(k for k, p in before.assignments.items() if p == profile and k not in erased)
    return others[0] if others else None
