"""Golden attributes: which observed value of an attribute a profile shows.

A profile keeps, per attribute, a bounded list of candidate values with how often and how
recently each source reported them; a rule picks the golden value from those candidates:

- `most_recent`: the value seen last (the default);
- `most_frequent`: the value seen most often, the most recent among equals;
- `source_priority`: the value from the most trusted source, most recent among equals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

RuleName = Literal["most_recent", "most_frequent", "source_priority"]
MAX_CANDIDATES_PER_ATTRIBUTE = 16
"""Past this, the least recently seen candidate is forgotten; the observation log keeps it."""


class AttributeCandidate(NamedTuple):
    """One value of one attribute as reported by one source; `value` is canonical JSON.

    A tuple, not a dataclass: profiles carry many of these through every batch, and a tuple
    is built straight from its stored JSON list."""

    value: str
    source: str
    occurrences: int
    first_seen: str
    last_seen: str

    def absorb(self, other: AttributeCandidate) -> AttributeCandidate:
        return AttributeCandidate(
            self.value,
            self.source,
            self.occurrences + other.occurrences,
            min(self.first_seen, other.first_seen),
            max(self.last_seen, other.last_seen),
        )


Candidates = dict[str, list[AttributeCandidate]]
"""Attribute name → its candidate values."""


_encode_canonical = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
).encode


def canonical_json(value: object) -> str:
    """One spelling per JSON value, so equal values compare equal as text."""
    return _encode_canonical(value)


def add_candidates(into: Candidates, extra: Mapping[str, Sequence[AttributeCandidate]]) -> None:
    """Fold `extra` into `into` in place, keeping at most MAX_CANDIDATES_PER_ATTRIBUTE each."""
    for name, candidates in extra.items():
        known = into.get(name)
        if not known and len(candidates) == 1:
            into[name] = list(candidates)
            continue
        current = {(c.value, c.source): c for c in known or ()}
        for candidate in candidates:
            key = (candidate.value, candidate.source)
            same = current.get(key)
            current[key] = candidate if same is None else same.absorb(candidate)
        kept = list(current.values())
        if len(kept) > MAX_CANDIDATES_PER_ATTRIBUTE:
            kept.sort(key=lambda c: (c.last_seen, c.occurrences, c.value, c.source))
            kept = kept[-MAX_CANDIDATES_PER_ATTRIBUTE:]
        into[name] = kept


def add_candidate(into: Candidates, name: str, candidate: AttributeCandidate) -> None:
    """`add_candidates(into, {name: [candidate]})` for one candidate, without the dict: the
    step every observation with attributes takes, once per attribute. Candidate lists hold
    one entry per (value, source), as `add_candidates` leaves them."""
    known = into.get(name)
    if not known:
        into[name] = [candidate]
        return
    kept = known.copy()
    for index, same in enumerate(known):
        if same.value == candidate.value and same.source == candidate.source:
            kept[index] = same.absorb(candidate)
            into[name] = kept
            return
    kept.append(candidate)
    if len(kept) > MAX_CANDIDATES_PER_ATTRIBUTE:
        kept.sort(key=lambda c: (c.last_seen, c.occurrences, c.value, c.source))
        kept = kept[-MAX_CANDIDATES_PER_ATTRIBUTE:]
    into[name] = kept


def candidates_to_json(candidates: Candidates) -> str:
    return _encode_canonical(candidates)


def candidates_from_json(text: str | None) -> Candidates:
    if not text:
        return {}
    raw: dict[str, list[list[Any]]] = json.loads(text)
    make = AttributeCandidate._make
    return {name: [make(row) for row in rows] for name, rows in raw.items()}


@dataclass(frozen=True, slots=True)
class SurvivorshipRule:
    rule: RuleName = "most_recent"
    sources: tuple[str, ...] = ()

    def choose(self, candidates: Iterable[AttributeCandidate]) -> AttributeCandidate | None:
        pool = list(candidates)
        if not pool:
            return None
        if self.rule == "most_frequent":
            per_value: dict[str, int] = {}
            for c in pool:
                per_value[c.value] = per_value.get(c.value, 0) + c.occurrences
            return max(pool, key=lambda c: (per_value[c.value], c.last_seen, c.value))
        if self.rule == "source_priority":
            rank = {source: i for i, source in enumerate(self.sources)}
            unknown = len(rank)
            best = min(rank.get(c.source, unknown) for c in pool)
            pool = [c for c in pool if rank.get(c.source, unknown) == best]
        return max(pool, key=lambda c: (c.last_seen, c.occurrences, c.value))


@dataclass(frozen=True, slots=True)
class SurvivorshipRules:
    default: SurvivorshipRule = SurvivorshipRule()
    per_attribute: Mapping[str, SurvivorshipRule] = field(default_factory=dict)

    def golden(self, candidates: Candidates) -> dict[str, Any]:
        """The golden value of every attribute, decoded from its canonical JSON."""
        result: dict[str, Any] = {}
        for name in sorted(candidates):
            pool = candidates[name]
            if len(pool) == 1:
                # Every rule chooses the only candidate there is.
                result[name] = _decoded(pool[0].value)
                continue
            chosen = self.per_attribute.get(name, self.default).choose(pool)
            if chosen is not None:
                result[name] = _decoded(chosen.value)
        return result


_DECODED_STRINGS: dict[str, str] = {}
_DECODED_CACHE_SIZE = 65_536


def _decoded(text: str) -> Any:
    """`json.loads`, remembered for JSON strings (immutable once decoded, so safe to share)."""
    if not text.startswith('"'):
        return json.loads(text)
    value = _DECODED_STRINGS.get(text)
    if value is None:
        if len(_DECODED_STRINGS) >= _DECODED_CACHE_SIZE:
            _DECODED_STRINGS.clear()
        value = _DECODED_STRINGS[text] = json.loads(text)
    return value
