"""Segments: named filters over profiles, written in a small JSON filter language.

A definition is one condition; conditions combine with `all`, `any` and `not`:

    {"all": [
        {"event": {"type": "purchase", "at_least": 2, "within_days": 30}},
        {"identifier": "email"},
        {"consent": "email_marketing"}
    ]}

Leaves:

- `{"attribute": "city", "eq": "Leeds"}` — a golden attribute, with one operator: `eq`, `ne`,
  `in` (a list), `contains` (a substring of text, or an element of a list), `gt`, `gte`, `lt`,
  `lte` (numbers with numbers, text with text), or `exists` (true or false). Comparisons are
  exact and typed: the text "30" is not the number 30. `ne` is the negation of `eq`, so it
  holds for profiles without the attribute.
- `{"trait": "total_revenue", "gte": 100}` — a computed trait (see `domain/traits.py`) with
  `eq`, `ne`, `gt`, `gte`, `lt`, `lte`; `first_seen` and `last_seen` compare with ISO 8601
  timestamps. A profile without orders has no `average_order_value`: only `ne` holds for it.
- `{"event": {"type": "purchase", "at_least": 2, "within_days": 30,
  "where": {"revenue": {"gte": 20}}}}` — at least `at_least` (default 1) events of the type
  credited to the profile, within the last `within_days` days before the evaluation time
  (default: ever), whose properties match every comparison of `where` (the attribute
  operators). Events count as traits do: once, for the identifier they name first.
- `{"identifier": "email"}` — the profile holds an identifier of the type.
- `{"consent": "email_marketing"}` or `{"consent": {"purpose": "email_marketing",
  "identifier": "email"}}` — one of the profile's identifiers (of the type, if given) has
  consent for the purpose.

`parse_definition` turns the JSON into typed conditions, or raises `InvalidInput` whose field
is the JSON path of the bad part, e.g. `definition.all[1].event.within_days`. The conditions
are plain data: a store compiles them into its own query language.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeAlias, cast

from datora_graph.domain.consent import parse_purpose
from datora_graph.domain.errors import InvalidInput, json_kind, shown
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import MAX_NAME_LENGTH, NAME, iso, utc
from datora_graph.domain.traits import NUMBER_TRAITS, TIME_TRAITS, TRAIT_NAMES, TraitSettings

Operator = Literal["eq", "ne", "in", "contains", "gt", "gte", "lt", "lte", "exists"]
Scalar: TypeAlias = str | int | float | bool
OPERATORS: tuple[Operator, ...] = ("eq", "ne", "in", "contains", "gt", "gte", "lt", "lte", "exists")
ORDERING: frozenset[str] = frozenset({"gt", "gte", "lt", "lte"})
TRAIT_OPERATORS: tuple[Operator, ...] = ("eq", "ne", "gt", "gte", "lt", "lte")

MAX_CONDITIONS = 200
"""Leaves, combinators and event property comparisons of one definition, so its query stays a
reasonable size (SQLite refuses an expression of about a thousand terms)."""
MAX_DEPTH = 12
MAX_IN_VALUES = 1000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The integers SQLite and Neo4j hold; a definition comparing with a larger one is refused."""
MAX_WITHIN_DAYS = 36_500
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_EVENT_KEYS = frozenset({"type", "at_least", "within_days", "where"})
_CONSENT_KEYS = frozenset({"purpose", "identifier"})


@dataclass(frozen=True, slots=True)
class Comparison:
    """An operator and its operand: a scalar, a tuple of scalars (`in`), a bool (`exists`),
    or a timestamp (a time trait)."""

    op: Operator
    value: Scalar | tuple[Scalar, ...] | datetime


@dataclass(frozen=True, slots=True)
class AttributeCondition:
    name: str
    comparison: Comparison


@dataclass(frozen=True, slots=True)
class TraitCondition:
    trait: str
    comparison: Comparison


@dataclass(frozen=True, slots=True)
class PropertyCondition:
    name: str
    comparison: Comparison


@dataclass(frozen=True, slots=True)
class EventCondition:
    event_type: str
    at_least: int = 1
    within_days: int | None = None
    where: tuple[PropertyCondition, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentifierCondition:
    identifier_type: str


@dataclass(frozen=True, slots=True)
class ConsentCondition:
    purpose: str
    identifier_type: str | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    condition: Condition


Condition: TypeAlias = (
    AllOf
    | AnyOf
    | Not
    | AttributeCondition
    | TraitCondition
    | EventCondition
    | IdentifierCondition
    | ConsentCondition
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A named, stored definition. `purpose` is the consent purpose its export is for: an
    export leaves out contact identifiers without consent for it."""

    id: str
    name: str
    description: str
    definition: Condition
    purpose: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SegmentQuery:
    """A definition to evaluate at `as_of` (windows and day counts end there), with the trait
    settings its trait conditions are computed under."""

    definition: Condition
    as_of: datetime
    traits: TraitSettings


@dataclass(frozen=True, slots=True)
class MemberPage:
    """Profile IDs of a segment in ID order; pass `end_cursor` back as `after`."""

    profile_ids: Sequence[str]
    end_cursor: str | None
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class SegmentContact:
    """One contact identifier of a segment member, for an export."""

    profile_id: str
    identifier: Identifier


@dataclass(frozen=True, slots=True)
class SegmentSize:
    """Members of a segment and their share of all profiles of people (junk-only profiles
    are never members and do not count)."""

    size: int
    people: int

    @property
    def share(self) -> float:
        return self.size / self.people if self.people else 0.0


def new_segment_id() -> str:
    """A fresh segment ID: `seg_` and 16 random hex digits."""
    return f"seg_{secrets.token_hex(8)}"


def parse_definition(
    raw: object, identifier_types: Collection[str] | None = None, field: str = "definition"
) -> Condition:
    """Typed conditions from JSON; `identifier_types` (when given) are the known types."""
    parser = _Parser(identifier_types)
    return parser.condition(raw, field, 1)


class _Parser:
    def __init__(self, identifier_types: Collection[str] | None) -> None:
        self.identifier_types = identifier_types
        self.count = 0

    def condition(self, raw: object, at: str, depth: int) -> Condition:
        self.counted(at)
        if depth > MAX_DEPTH:
            raise InvalidInput(at, f"conditions nest at most {MAX_DEPTH} deep")
        if not isinstance(raw, Mapping) or not raw:
            raise InvalidInput(at, 'must be a JSON object with one condition, e.g. {"all": []}')
        if "attribute" in raw:
            return self.attribute(raw, at)
        if "trait" in raw:
            return self.trait(raw, at)
        if len(raw) != 1:
            names = ", ".join(sorted(str(k) for k in raw))
            raise InvalidInput(at, f"has several conditions ({names}); combine them with all")
        key, value = next(iter(raw.items()))
        where = f"{at}.{key}"
        if key in ("all", "any"):
            if not isinstance(value, list):
                raise InvalidInput(where, "must be a list of conditions")
            children = tuple(
                self.condition(child, f"{where}[{n}]", depth + 1) for n, child in enumerate(value)
            )
            return AllOf(children) if key == "all" else AnyOf(children)
        if key == "not":
            return Not(self.condition(value, where, depth + 1))
        if key == "event":
            return self.event(value, where)
        if key == "identifier":
            return IdentifierCondition(self.identifier_type(value, where))
        if key == "consent":
            return self.consent(value, where)
        raise InvalidInput(
            where,
            "is not a condition (use all, any, not, attribute, trait, event, identifier, consent)",
        )

    def counted(self, at: str) -> None:
        """One more condition, or comparison of an event's `where`: each is a term of the
        store's query, and the stores refuse queries of too many terms."""
        self.count += 1
        if self.count > MAX_CONDITIONS:
            raise InvalidInput(
                at,
                f"a definition holds at most {MAX_CONDITIONS} conditions, counting each "
                "comparison of an event's where",
            )

    def attribute(self, raw: Mapping[str, Any], at: str) -> AttributeCondition:
        name = _name(raw["attribute"], f"{at}.attribute")
        op, value = _one_operator(raw, "attribute", OPERATORS, at)
        return AttributeCondition(name, _comparison(op, value, f"{at}.{op}"))

    def trait(self, raw: Mapping[str, Any], at: str) -> TraitCondition:
        trait = raw["trait"]
        if trait not in TRAIT_NAMES:
            raise InvalidInput(
                f"{at}.trait", f"{shown(trait)} is not a trait (known: {', '.join(TRAIT_NAMES)})"
            )
        op, value = _one_operator(raw, "trait", TRAIT_OPERATORS, at)
        where = f"{at}.{op}"
        if trait in TIME_TRAITS:
            return TraitCondition(trait, Comparison(op, _timestamp(value, where)))
        assert trait in NUMBER_TRAITS
        if not _is_number(value, where):
            raise InvalidInput(where, f"{trait} compares with a number, got {json_kind(value)}")
        return TraitCondition(trait, Comparison(op, value))

    def event(self, raw: object, at: str) -> EventCondition:
        if not isinstance(raw, Mapping):
            raise InvalidInput(at, 'must be an object like {"type": "purchase", "at_least": 2}')
        for key in raw:
            if key not in _EVENT_KEYS:
                raise InvalidInput(
                    f"{at}.{key}", "is not known (use type, at_least, within_days, where)"
                )
        if "type" not in raw:
            raise InvalidInput(f"{at}.type", "is required")
        event_type = _name(raw["type"], f"{at}.type")
        at_least = _whole(raw.get("at_least", 1), f"{at}.at_least", 1, 1_000_000)
        within = raw.get("within_days")
        within_days = None
        if within is not None:
            within_days = _whole(within, f"{at}.within_days", 1, MAX_WITHIN_DAYS)
        where_raw = raw.get("where", {})
        if not isinstance(where_raw, Mapping):
            raise InvalidInput(f"{at}.where", 'must be an object like {"revenue": {"gte": 20}}')
        where = tuple(
            self.property(name, value, f"{at}.where") for name, value in where_raw.items()
        )
        return EventCondition(event_type, at_least, within_days, where)

    def property(self, name: object, raw: object, at: str) -> PropertyCondition:
        prop = _name(name, at)
        where = f"{at}.{prop}"
        self.counted(where)
        if not isinstance(raw, Mapping) or len(raw) != 1:
            raise InvalidInput(where, 'must be one comparison, e.g. {"gte": 20}')
        op, value = next(iter(raw.items()))
        if op not in OPERATORS:
            raise InvalidInput(f"{where}.{op}", f"is not an operator ({', '.join(OPERATORS)})")
        return PropertyCondition(prop, _comparison(op, value, f"{where}.{op}"))

    def identifier_type(self, raw: object, at: str) -> str:
        if not isinstance(raw, str) or not _TYPE_NAME.match(raw):
            raise InvalidInput(at, f"must be an identifier type name, got {shown(raw)}")
        if self.identifier_types is not None and raw not in self.identifier_types:
            known = ", ".join(sorted(self.identifier_types))
            raise InvalidInput(at, f"unknown identifier type {shown(raw)} (known: {known})")
        return raw

    def consent(self, raw: object, at: str) -> ConsentCondition:
        if isinstance(raw, str):
            return ConsentCondition(parse_purpose(raw, at))
        if not isinstance(raw, Mapping):
            raise InvalidInput(at, 'must be a purpose or {"purpose": ..., "identifier": ...}')
        for key in raw:
            if key not in _CONSENT_KEYS:
                raise InvalidInput(f"{at}.{key}", "is not known (use purpose, identifier)")
        if "purpose" not in raw:
            raise InvalidInput(f"{at}.purpose", "is required")
        identifier = raw.get("identifier")
        return ConsentCondition(
            parse_purpose(raw["purpose"], f"{at}.purpose"),
            None if identifier is None else self.identifier_type(identifier, f"{at}.identifier"),
        )


def _one_operator(
    raw: Mapping[str, Any], subject: str, allowed: Sequence[str], at: str
) -> tuple[Operator, Any]:
    operators = [key for key in raw if key != subject]
    for key in operators:
        if key not in allowed:
            raise InvalidInput(f"{at}.{key}", f"is not an operator here ({', '.join(allowed)})")
    if len(operators) != 1:
        raise InvalidInput(at, f"needs exactly one operator ({', '.join(allowed)})")
    return cast(Operator, operators[0]), raw[operators[0]]


def _comparison(op: Operator, value: object, at: str) -> Comparison:
    if op == "exists":
        if not isinstance(value, bool):
            raise InvalidInput(at, f"must be true or false, got {json_kind(value)}")
        return Comparison(op, value)
    if op == "in":
        if not isinstance(value, list) or not value:
            raise InvalidInput(at, "must be a non-empty list of values")
        if len(value) > MAX_IN_VALUES:
            raise InvalidInput(at, f"holds at most {MAX_IN_VALUES} values")
        for n, item in enumerate(value):
            _scalar(item, f"{at}[{n}]")
        return Comparison(op, tuple(value))
    if op == "contains":
        if not isinstance(value, str):
            raise InvalidInput(at, f"must be text, got {json_kind(value)}")
        return Comparison(op, value)
    if op in ORDERING:
        if not (_is_number(value, at) or isinstance(value, str)):
            raise InvalidInput(at, f"compares with a number or text, got {json_kind(value)}")
        return Comparison(op, cast(Scalar, value))
    return Comparison(op, _scalar(value, at))


def _scalar(value: object, at: str) -> Scalar:
    if isinstance(value, bool | str) or _is_number(value, at):
        return cast(Scalar, value)
    raise InvalidInput(at, f"must be text, a number or true/false, got {json_kind(value)}")


def _is_number(value: object, at: str) -> bool:
    """Whether `value` is a finite number; an integer the stores cannot hold (past 64 bits) is
    refused here rather than failing every later query of the saved segment."""
    if type(value) is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise InvalidInput(
                at, f"must be between {INT64_MIN:,} and {INT64_MAX:,}, got {shown(value)}"
            )
        return True
    return type(value) is float and math.isfinite(value)


def _name(raw: object, at: str) -> str:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_NAME_LENGTH or not NAME.match(raw):
        raise InvalidInput(
            at,
            f"must be a name of 1-{MAX_NAME_LENGTH} characters without quotes, got {shown(raw)}",
        )
    return raw


def _whole(raw: object, at: str, lowest: int, highest: int) -> int:
    if type(raw) is not int or not lowest <= raw <= highest:
        raise InvalidInput(
            at, f"must be a whole number from {lowest} to {highest}, got {shown(raw)}"
        )
    return raw


def _timestamp(raw: object, at: str) -> datetime:
    if not isinstance(raw, str):
        raise InvalidInput(at, f"must be an ISO 8601 timestamp, got {json_kind(raw)}")
    try:
        return utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        raise InvalidInput(at, f"{shown(raw)} is not an ISO 8601 timestamp") from None


def definition_to_json(condition: Condition) -> dict[str, Any]:
    """The canonical JSON of a condition: parsing it gives the same condition back."""
    if isinstance(condition, AllOf):
        return {"all": [definition_to_json(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [definition_to_json(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": definition_to_json(condition.condition)}
    if isinstance(condition, AttributeCondition):
        return {"attribute": condition.name, **_comparison_json(condition.comparison)}
    if isinstance(condition, TraitCondition):
        return {"trait": condition.trait, **_comparison_json(condition.comparison)}
    if isinstance(condition, EventCondition):
        event: dict[str, Any] = {"type": condition.event_type, "at_least": condition.at_least}
        if condition.within_days is not None:
            event["within_days"] = condition.within_days
        if condition.where:
            event["where"] = {p.name: _comparison_json(p.comparison) for p in condition.where}
        return {"event": event}
    if isinstance(condition, IdentifierCondition):
        return {"identifier": condition.identifier_type}
    if condition.identifier_type is None:
        return {"consent": condition.purpose}
    return {"consent": {"purpose": condition.purpose, "identifier": condition.identifier_type}}


def _comparison_json(comparison: Comparison) -> dict[str, Any]:
    value = comparison.value
    if isinstance(value, datetime):
        return {comparison.op: iso(value)}
    if isinstance(value, tuple):
        return {comparison.op: list(value)}
    return {comparison.op: value}


def conditions_of(condition: Condition) -> list[Condition]:
    """Every condition of a definition, depth first (the combinators included)."""
    found: list[Condition] = [condition]
    if isinstance(condition, AllOf | AnyOf):
        for child in condition.conditions:
            found.extend(conditions_of(child))
    elif isinstance(condition, Not):
        found.extend(conditions_of(condition.condition))
    return found
