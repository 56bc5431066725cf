"""A brute-force evaluation of segment definitions, written from the README's description of
the filter language independently of any store: it judges each profile in Python from its
exported attributes and identifiers, the events credited to it and every consent statement.
Segment sizes, members and exports are compared with it (test_segment_agreement.py, and
tests/unit/test_activity_properties.py after steward decisions and erasures)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from datora_graph.domain.consent import ConsentStatement, current_consent
from datora_graph.domain.records import Event
from datora_graph.domain.segments import (
    AllOf,
    AnyOf,
    AttributeCondition,
    Comparison,
    Condition,
    ConsentCondition,
    EventCondition,
    IdentifierCondition,
    Not,
    TraitCondition,
)
from datora_graph.domain.traits import ProfileTraits


@dataclass
class Person:
    """An exported profile with what the brute force needs to judge it."""

    id: str
    attributes: dict[str, Any]
    keys: list[str]
    events: list[Event] = field(default_factory=list)
    traits: ProfileTraits | None = None


def brute_force(
    condition: Condition,
    people: dict[str, Person],
    statements: list[ConsentStatement],
    as_of: datetime,
) -> set[str]:
    """The profiles of `people` that `condition` selects at `as_of`, given every consent
    statement recorded."""
    granted: dict[str, set[str]] = defaultdict(set)
    for (key, purpose), state in current_consent(statements).items():
        if state.granted:
            granted[purpose].add(key)
    return {pid for pid, person in people.items() if _holds(condition, person, granted, as_of)}


def _holds(
    condition: Condition, person: Person, granted: dict[str, set[str]], as_of: datetime
) -> bool:
    if isinstance(condition, AllOf):
        return all(_holds(c, person, granted, as_of) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(_holds(c, person, granted, as_of) for c in condition.conditions)
    if isinstance(condition, Not):
        return not _holds(condition.condition, person, granted, as_of)
    if isinstance(condition, AttributeCondition):
        return _compare(person.attributes, condition.name, condition.comparison)
    if isinstance(condition, TraitCondition):
        assert person.traits is not None
        value = person.traits.value(condition.trait)
        return _compare({} if value is None else {"v": value}, "v", condition.comparison)
    if isinstance(condition, EventCondition):
        since = as_of - timedelta(days=condition.within_days or 0)
        count = sum(
            1
            for e in person.events
            if e.type == condition.event_type
            and (condition.within_days is None or since < e.occurred_at <= as_of)
            and all(_compare(dict(e.properties), p.name, p.comparison) for p in condition.where)
        )
        return count >= condition.at_least
    if isinstance(condition, IdentifierCondition):
        return any(k.startswith(f"{condition.identifier_type}:") for k in person.keys)
    assert isinstance(condition, ConsentCondition)
    wanted = condition.identifier_type
    return any(
        key in granted[condition.purpose] and (wanted is None or key.startswith(f"{wanted}:"))
        for key in person.keys
    )


def _compare(values: dict[str, Any], name: str, comparison: Comparison) -> bool:
    """Typed and exact: text with text, numbers with numbers (true/false are 1/0 for `in`)."""
    op, operand = comparison.op, comparison.value
    present = name in values
    value = values.get(name)
    if op == "exists":
        return present == operand
    if op == "ne":
        return not _compare(values, name, Comparison("eq", operand))
    if not present or value is None:  # a JSON null is there, but equals and orders with nothing
        return False
    if isinstance(operand, datetime):
        value = value.astimezone(UTC) if isinstance(value, datetime) else value
        return _ordered(op, value, operand)
    if op == "in":
        assert isinstance(operand, tuple)
        return not isinstance(value, dict | list) and any(_same(value, o) for o in operand)
    if op == "contains":
        if isinstance(value, str):
            return str(operand) in value
        return isinstance(value, list) and any(isinstance(v, str) and v == operand for v in value)
    if isinstance(operand, bool):
        return isinstance(value, bool) and value == operand
    if isinstance(operand, str) != isinstance(value, str) or isinstance(value, bool | dict | list):
        return False
    return _ordered(op, value, operand)


def _same(value: Any, operand: Any) -> bool:
    if isinstance(value, str) or isinstance(operand, str):
        return isinstance(value, str) and isinstance(operand, str) and value == operand
    return bool(value == operand)


def _ordered(op: str, value: Any, operand: Any) -> bool:
    return {
        "eq": value == operand,
        "gt": value > operand,
        "gte": value >= operand,
        "lt": value < operand,
        "lte": value <= operand,
    }[op]
