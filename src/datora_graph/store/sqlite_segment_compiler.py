"""Compiles segment conditions into SQLite boolean expressions over `profiles p`.

Every piece of SQL here is a fixed fragment chosen by the kind of condition; every value a
client wrote (names, operands, event types, purposes) is a bound parameter, JSON paths
included. The result is one statement, evaluated by SQLite — profiles are never loaded into
Python to be filtered.

Each compiled expression is two-valued (0 or 1, never NULL), so `not` means what it says
even for a profile without the attribute a comparison reads.

Two shapes for the conditions that look beyond the profile row (events in a window, consent):

- **scan** (`correlated=False`): `p.id IN (SELECT profile_id …)`. SQLite computes the set
  once per statement, from the event credits clustered by type and time (or the consent
  index on purpose), and then either drives the scan from it or tests each profile in it.
  For sizes, member pages and exports over the whole graph.
- **probe** (`correlated=True`): a subquery per profile through its identifiers. For asking
  which segments a handful of profiles are in, and, inside an `all`, for every set after
  the first: they are only asked of the profiles the first one lets through.

Trait conditions read the profile's `profile_activity` row (`s`), joined only when needed.

Joins inside the conditions are `CROSS JOIN`, which in SQLite fixes the left table as the
outer loop: without statistics the planner may otherwise probe a profile's consent by
scanning every consent for the purpose.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from datora_graph.domain.records import STANDARD_ATTRIBUTES, iso
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
    PropertyCondition,
    TraitCondition,
)
from datora_graph.domain.traits import DAYS_PER_YEAR, TIME_TRAITS, TraitSettings

_SQL_OPERATORS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_FIRST_SEEN = "(CASE WHEN s.first_at < p.created_at THEN s.first_at ELSE p.created_at END)"
_LAST_SEEN = "(CASE WHEN s.last_at > p.updated_at THEN s.last_at ELSE p.updated_at END)"
_REVENUE = "(coalesce(s.revenue_cents, 0) / 100.0)"


def json_path(name: str) -> str:
    """The JSON path of a top-level key; names never hold `"` or `\\` (the parser refuses them)."""
    return f'$."{name}"'


class SegmentCompiler:
    """One compiler per statement: it collects the bound parameters of every expression it
    returns, named `c0`, `c1`, … so they never meet the statement's own parameters."""

    def __init__(self, as_of: datetime, traits: TraitSettings, correlated: bool = False) -> None:
        self.as_of = as_of
        self.traits = traits
        self.correlated = correlated
        self.params: dict[str, object] = {}
        self.uses_activity = False
        self.reads_attributes = False

    def bind(self, value: object) -> str:
        name = f"c{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def condition(self, condition: Condition) -> str:
        if isinstance(condition, AllOf):
            if not condition.conditions:
                return "1"
            return "(" + " AND ".join(self._all_of(condition.conditions)) + ")"
        if isinstance(condition, AnyOf):
            if not condition.conditions:
                return "0"
            return "(" + " OR ".join(self.condition(c) for c in condition.conditions) + ")"
        if isinstance(condition, Not):
            return f"(NOT {self.condition(condition.condition)})"
        if isinstance(condition, AttributeCondition):
            return self.comparison("p.attributes", condition.name, condition.comparison)
        if isinstance(condition, TraitCondition):
            return self.trait_condition(condition)
        if isinstance(condition, EventCondition):
            return self.event(condition)
        if isinstance(condition, IdentifierCondition):
            path = self.bind(json_path(condition.identifier_type))
            return f"(coalesce(json_extract(p.type_counts, {path}), 0) > 0)"
        return self.consent(condition)

    def _all_of(self, conditions: tuple[Condition, ...]) -> list[str]:
        """Cheapest first, since `all` stops at the first condition a profile fails; in a scan
        only the first condition that is a set (events in a window, consent) is computed as
        one, and the others are probed for the profiles that pass it."""
        parts = []
        driving = self.correlated
        for condition in sorted(conditions, key=_cost):
            if _is_set(condition) and driving:
                parts.append(self._probing(condition))
                continue
            driving = driving or _is_set(condition)
            parts.append(self.condition(condition))
        return parts

    def _probing(self, condition: Condition) -> str:
        correlated, self.correlated = self.correlated, True
        try:
            return self.condition(condition)
        finally:
            self.correlated = correlated

    # -- attributes and event properties ------------------------------------------------------
    def comparison(self, column: str, name: str, comparison: Comparison) -> str:
        """`column` is a fixed column name (`p.attributes`, `c.properties`)."""
        self.reads_attributes = self.reads_attributes or column == "p.attributes"
        path = self.bind(json_path(name))
        kind = f"json_type({column}, {path})"
        value = f"json_extract({column}, {path})"
        op, operand = comparison.op, comparison.value
        if op == "exists":
            return f"({kind} IS NOT NULL)" if operand else f"({kind} IS NULL)"
        if op == "ne":
            return f"(NOT {self.comparison(column, name, Comparison('eq', operand))})"
        if op == "in":
            values = self.bind(_json_list(operand))
            return (
                f"coalesce({kind} IN ('text', 'integer', 'real', 'true', 'false') "
                f"AND {value} IN (SELECT value FROM json_each({values})), 0)"
            )
        if op == "contains":
            needle = self.bind(operand)
            return (
                f"(CASE {kind} WHEN 'text' THEN instr({value}, {needle}) > 0 "
                f"WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each({column}, {path}) j "
                f"WHERE j.type = 'text' AND j.value = {needle}) ELSE 0 END)"
            )
        if isinstance(operand, bool):
            return f"coalesce({kind} = '{'true' if operand else 'false'}', 0)"
        types = "('text')" if isinstance(operand, str) else "('integer', 'real')"
        return (
            f"coalesce({kind} IN {types} AND {value} {_SQL_OPERATORS[op]} {self.bind(operand)}, 0)"
        )

    # -- traits -----------------------------------------------------------------------------
    def trait_condition(self, condition: TraitCondition) -> str:
        comparison = condition.comparison
        if comparison.op == "ne":
            equal = TraitCondition(condition.trait, Comparison("eq", comparison.value))
            return f"(NOT {self.trait_condition(equal)})"
        operand = comparison.value
        if isinstance(operand, datetime):
            operand = iso(operand)
        expression = self.trait(condition.trait)
        return f"coalesce({expression} {_SQL_OPERATORS[comparison.op]} {self.bind(operand)}, 0)"

    def trait(self, name: str) -> str:
        """The SQL value of a trait, with the arithmetic of `domain.traits.compute_traits`."""
        if name == "data_quality":
            return self._data_quality()
        self.uses_activity = True
        if name in TIME_TRAITS:
            return _FIRST_SEEN if name == "first_seen" else _LAST_SEEN
        if name == "event_count":
            return "coalesce(s.events, 0)"
        if name == "order_count":
            return "coalesce(s.orders, 0)"
        if name == "total_revenue":
            return _REVENUE
        if name == "average_order_value":
            return "(CASE WHEN s.orders > 0 THEN (s.revenue_cents / 100.0) / s.orders END)"
        if name == "engagement_score":
            return "(coalesce(s.engagement_milli, 0) / 1000.0)"
        if name == "recency_days":
            return f"max(CAST({self._days_to_as_of(_LAST_SEEN)} AS INTEGER), 0)"
        tenure = f"max({self._days_to_as_of(_FIRST_SEEN)} / {DAYS_PER_YEAR!r}, 1.0)"
        if name == "purchase_frequency":
            return f"(coalesce(s.orders, 0) / {tenure})"
        assert name == "customer_lifetime_value", name
        lifespan = self.bind(float(self.traits.expected_lifespan_years))
        return f"({_REVENUE} * {lifespan} / {tenure})"

    def _days_to_as_of(self, moment: str) -> str:
        day = self.bind(self.as_of.date().isoformat())
        return f"(julianday({day}) - julianday(substr({moment}, 1, 10)))"

    def _data_quality(self) -> str:
        """Standard attributes present come from a column written with every profile (see
        `sqlite_sql.STANDARD_ATTRIBUTES_COLUMN`), so this reads the narrow index only."""
        parts = ["p.standard_attributes"]
        parts += [
            f"(coalesce(json_extract(p.type_counts, {self.bind(json_path(name))}), 0) > 0)"
            for name in self.traits.identifier_types
        ]
        total = len(STANDARD_ATTRIBUTES) + len(self.traits.identifier_types)
        return f"(({' + '.join(parts)}) * 1.0 / {total})"

    # -- events and consent ----------------------------------------------------------------
    def event(self, condition: EventCondition) -> str:
        at_least = self.bind(condition.at_least)
        if condition.within_days is None and not condition.where:
            self.uses_activity = True
            path = self.bind(json_path(condition.event_type))
            return f"(coalesce(json_extract(s.type_events, {path}), 0) >= {at_least})"
        event_type = self.bind(condition.event_type)
        time = "ei.occurred_at" if self.correlated else "c.occurred_at"
        window = ""
        if condition.within_days is not None:
            since = self.bind(iso(self.as_of - timedelta(days=condition.within_days)))
            window = f" AND {time} > {since} AND {time} <= {self.bind(iso(self.as_of))}"
        where = "".join(f" AND {self._property(p)}" for p in condition.where)
        if self.correlated:
            return (
                "((SELECT count(*) FROM identifiers i"
                " CROSS JOIN event_identifiers ei ON ei.identifier_key = i.key"
                " CROSS JOIN event_credits c ON c.event_type = ei.event_type"
                " AND c.occurred_at = ei.occurred_at AND c.event_id = ei.event_id"
                " AND c.identifier_key = ei.identifier_key"
                f" WHERE i.profile_id = p.id AND ei.event_type = {event_type}{window}{where})"
                f" >= {at_least})"
            )
        return (
            "(p.id IN (SELECT i.profile_id FROM event_credits c"
            " CROSS JOIN identifiers i ON i.key = c.identifier_key"
            f" WHERE c.event_type = {event_type}{window}{where}"
            f" GROUP BY i.profile_id HAVING count(*) >= {at_least}))"
        )

    def _property(self, condition: PropertyCondition) -> str:
        return self.comparison("c.properties", condition.name, condition.comparison)

    def consent(self, condition: ConsentCondition) -> str:
        """Consent rows name the profile holding their identifier, so both shapes read the
        index on (purpose, granted, profile_id); a type is a range of identifier keys."""
        of_type = ""
        if condition.identifier_type is not None:
            low = self.bind(f"{condition.identifier_type}:")
            high = self.bind(f"{condition.identifier_type};")  # ';' follows ':'
            of_type = f" AND c.identifier_key >= {low} AND c.identifier_key < {high}"
        purpose = self.bind(condition.purpose)
        if self.correlated:
            return (
                "EXISTS (SELECT 1 FROM consent c"
                f" WHERE c.purpose = {purpose} AND c.granted = 1 AND c.profile_id = p.id{of_type})"
            )
        # Not NULL: a statement of an identifier no profile holds yet has no profile_id, and
        # a NULL in the set makes `p.id IN (…)` NULL rather than 0 for every profile not in
        # it, so `not` would select none of them.
        return (
            "(p.id IN (SELECT c.profile_id FROM consent c"
            f" WHERE c.purpose = {purpose} AND c.granted = 1"
            f" AND c.profile_id IS NOT NULL{of_type}))"
        )


def _is_set(condition: Condition) -> bool:
    """Conditions that look beyond the profile's own rows: a set in a scan, a probe otherwise."""
    if isinstance(condition, EventCondition):
        return condition.within_days is not None or bool(condition.where)
    return isinstance(condition, ConsentCondition)


def _cost(condition: Condition) -> int:
    """Rough cost per profile, cheapest first. Events in a window usually select few people,
    consent many, so the window drives and consent is probed."""
    if isinstance(condition, EventCondition):
        return 0 if _is_set(condition) else 2
    if isinstance(condition, ConsentCondition):
        return 1
    if isinstance(condition, IdentifierCondition | TraitCondition):
        return 2
    if isinstance(condition, AttributeCondition):
        return 3
    return 4


def _json_list(values: object) -> str:
    assert isinstance(values, tuple)
    return json.dumps(list(values), ensure_ascii=False)
