"""Golden attributes: which observed value of an attribute a profile shows.

A profile keeps, per attribute, a bounded list of candidate values with how often and how
recently each source reported them; a rule picks the golden value from those candidates:

- `most_recent`: the value seen last (the default);
- `most_frequent`: the value seen most often, the most recent among equals;
- `source_priority`: the value from the most trusted source, most recent among equals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

RuleName = Literal["most_recent", "most_frequent", "source_priority"]
MAX_CANDIDATES_PER_ATTRIBUTE = 16
"""Past this, the least recently seen candidate is forgotten; the observation log keeps it."""


@dataclass(frozen=True, slots=True)
class AttributeCandidate:
    """One value of one attribute as reported by one source; `value` is canonical JSON."""

    value: str
    source: str
    count: int
    first_seen: str
    last_seen: str

    def absorb(self, other: AttributeCandidate) -> AttributeCandidate:
        return AttributeCandidate(
            self.value,
            self.source,
            self.count + other.count,
            min(self.first_seen, other.first_seen),
            max(self.last_seen, other.last_seen),
        )

    def to_list(self) -> list[Any]:
        return [self.value, self.source, self.count, self.first_seen, self.last_seen]

    @classmethod
    def from_list(cls, row: list[Any]) -> AttributeCandidate:
        return cls(str(row[0]), str(row[1]), int(row[2]), str(row[3]), str(row[4]))


Candidates = dict[str, list[AttributeCandidate]]
"""Attribute name → its candidate values."""


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def add_candidates(into: Candidates, extra: Mapping[str, Iterable[AttributeCandidate]]) -> None:
    """Fold `extra` into `into` in place, keeping at most MAX_CANDIDATES_PER_ATTRIBUTE each."""
    for name, candidates in extra.items():
        current = {(c.value, c.source): c for c in into.get(name, ())}
        for candidate in candidates:
            key = (candidate.value, candidate.source)
            known = current.get(key)
            current[key] = candidate if known is None else known.absorb(candidate)
        kept = sorted(current.values(), key=lambda c: (c.last_seen, c.count, c.value, c.source))
        into[name] = kept[-MAX_CANDIDATES_PER_ATTRIBUTE:]


def candidates_to_json(candidates: Candidates) -> str:
    return canonical_json({k: [c.to_list() for c in v] for k, v in sorted(candidates.items())})


def candidates_from_json(text: str | None) -> Candidates:
    if not text:
        return {}
    raw: dict[str, list[list[Any]]] = json.loads(text)
    return {name: [AttributeCandidate.from_list(row) for row in rows] for name, rows in raw.items()}


@dataclass(frozen=True, slots=True)
class SurvivorshipRule:
    rule: RuleName = "most_recent"
    sources: tuple[str, ...] = ()

    def choose(self, candidates: Iterable[AttributeCandidate]) -> AttributeCandidate | None:
        pool = list(candidates)
        if not pool:
            return None
        if self.rule == "most_frequent":
            return max(pool, key=lambda c: (c.count, c.last_seen, c.value))
        if self.rule == "source_priority":
            rank = {source: i for i, source in enumerate(self.sources)}
            unknown = len(rank)
            best = min(rank.get(c.source, unknown) for c in pool)
            pool = [c for c in pool if rank.get(c.source, unknown) == best]
        return max(pool, key=lambda c: (c.last_seen, c.count, c.value))


@dataclass(frozen=True, slots=True)
class SurvivorshipRules:
    default: SurvivorshipRule = SurvivorshipRule()
    per_attribute: Mapping[str, SurvivorshipRule] = field(default_factory=dict)

    def golden(self, candidates: Candidates) -> dict[str, Any]:
        """The golden value of every attribute, decoded from its canonical JSON."""
        result: dict[str, Any] = {}
        for name in sorted(candidates):
            chosen = self.per_attribute.get(name, self.default).choose(candidates[name])
            if chosen is not None:
                result[name] = json.loads(chosen.value)
        return result
