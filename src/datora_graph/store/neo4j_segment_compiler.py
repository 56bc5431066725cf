"""Compiles segment conditions into Cypher boolean expressions over a profile `p`.

How this squares with "every Cypher statement is a file in `cypher/`": the statements a
segment runs are the skeleton files `segment_sizes`, `segment_page`, `segment_memberships`
and `segment_contacts`, each a complete statement the linter checks, holding exactly one
placeholder parameter (`$condition`, `$sizes` or `$matches`). The compiler replaces that one
placeholder with an expression assembled only from the fixed fragments below, chosen by the
kind of condition; every value a client wrote (identifier types, purposes) becomes a
parameter `$seg0`, `$seg1`, ... and never enters the text. The names a compiled statement
uses are generated here, so a statement's text depends only on the definition's shape.
`tests/unit/store/test_neo4j_segment_compiler.py` writes compiled statements for every
condition kind to a folder and runs `scripts/lint-cypher` on it.

Every fragment is two-valued (true or false, never null), so `not` means what it says.

The arithmetic of traits is `domain.traits.compute_traits`, and comparisons are exact and typed
as on SQLite's JSON (`sqlite_segment_compiler`): golden attributes and event properties are
filterable properties (`neo4j_rows.filterable`: an array is kept as its text elements, an
object, null or an array without text as `[false]`) read by key, `p[$segN]`, the key being a
parameter too. Trait conditions read the profile's activity aggregates (`act_*`, kept by
`recount_activity`); event conditions without a window or property filter read its counts by
type, the others count its credited events through the `event_credit` index (credited key,
type, time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import LiteralString

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
from datora_graph.store.neo4j_rows import ATTRIBUTE_PREFIX, PROPERTY_PREFIX

TRUE: LiteralString = "true"
FALSE: LiteralString = "false"
HAS_IDENTIFIER: LiteralString = "EXISTS { MATCH (p)<-[:IN]-(:Identifier {type: $%s}) }"
HAS_CONSENT: LiteralString = (
    "EXISTS { MATCH (p)<-[:IN]-(i:Identifier) MATCH (c:Consent {key: i.key, purpose: $%s})"
    " WHERE c.granted }"
)
HAS_CONSENT_OF_TYPE: LiteralString = (
    "EXISTS { MATCH (p)<-[:IN]-(i:Identifier {type: $%s})"
    " MATCH (c:Consent {key: i.key, purpose: $%s}) WHERE c.granted }"
)
COUNT_MEMBERS: LiteralString = "count(CASE WHEN %s THEN 1 END)"

# -- comparisons over a filterable property `{node}[${key}]`, {node} being `p` or `e` ----------
_OPERATORS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
EXISTS: LiteralString = "(%(v)s IS NOT NULL)"
MISSING: LiteralString = "(%(v)s IS NULL)"
COMPARE: LiteralString = "coalesce(%(v)s %(op)s $%(x)s, false)"
IN_LIST: LiteralString = (
    "coalesce((CASE %(v)s WHEN true THEN 1 WHEN false THEN 0 ELSE %(v)s END) IN $%(x)s, false)"
)
CONTAINS: LiteralString = (
    "coalesce(CASE WHEN %(v)s IS :: STRING NOT NULL THEN %(v)s CONTAINS $%(x)s"
    " WHEN %(v)s IS :: LIST<ANY> NOT NULL THEN $%(x)s IN %(v)s ELSE false END, false)"
)
# -- traits over the activity aggregates of `p` ------------------------------------------------
FIRST_SEEN: LiteralString = (
    "(CASE WHEN p.act_first_at < p.created_at THEN p.act_first_at ELSE p.created_at END)"
)
LAST_SEEN: LiteralString = (
    "(CASE WHEN p.act_last_at > p.updated_at THEN p.act_last_at ELSE p.updated_at END)"
)
REVENUE: LiteralString = "(coalesce(p.act_revenue_cents, 0) / 100.0)"
SIMPLE_TRAITS: dict[str, LiteralString] = {
    "event_count": "coalesce(p.act_events, 0)",
    "order_count": "coalesce(p.act_orders, 0)",
    "total_revenue": REVENUE,
    "average_order_value": (
        "(CASE WHEN p.act_orders > 0 THEN (p.act_revenue_cents / 100.0) / p.act_orders END)"
    ),
    "engagement_score": "(coalesce(p.act_engagement_milli, 0) / 1000.0)",
}
DAYS_TO_AS_OF: LiteralString = "duration.inDays(date(substring(%s, 0, 10)), date($%s)).days"
RECENCY: LiteralString = "(CASE WHEN %(d)s < 0 THEN 0 ELSE %(d)s END)"
TENURE: LiteralString = (
    "(CASE WHEN toFloat(%(d)s) / %(y)s > 1.0 THEN toFloat(%(d)s) / %(y)s ELSE 1.0 END)"
)
DATA_QUALITY: LiteralString = (
    "(toFloat(size([k IN $%s WHERE p[k] IS NOT NULL])"
    " + size([t IN $%s WHERE t IN coalesce(p.identifier_types, [])])) / %d)"
)
# -- events ------------------------------------------------------------------------------------
EVENTS_OF_TYPE: LiteralString = (
    "(reduce(n = 0, x IN range(0, size(coalesce(p.act_types, [])) - 1) |"
    " CASE WHEN p.act_types[x] = $%s THEN p.act_type_events[x] ELSE n END) >= $%s)"
)
CREDITED_EVENTS: LiteralString = (
    "(COUNT { MATCH (p)<-[:IN]-(i:Identifier)"
    " MATCH (e:Event {credited_key: i.key, type: $%s}) WHERE %s } >= $%s)"
)
IN_WINDOW: LiteralString = "e.occurred_at > $%s AND e.occurred_at <= $%s"
ANY_TIME: LiteralString = "e.occurred_at IS NOT NULL"
"""Always true: a predicate on every property of `event_credit` lets the planner seek it."""
_NODES: dict[str, tuple[LiteralString, str]] = {
    "attribute": ("p", ATTRIBUTE_PREFIX),
    "property": ("e", PROPERTY_PREFIX),
}

CONDITION = "$condition"
SIZES = "$sizes"
MATCHES = "$matches"
VALUE = "$value"


class SegmentCompiler:
    """One compiler per statement: it collects the parameters of every expression it returns,
    named `seg0`, `seg1`, ... so they never meet the skeleton's own parameters. Windows and
    day counts end at `as_of`; traits are computed under `traits`.

        >>> compiler = SegmentCompiler("segment_members")
        >>> compiler.condition(IdentifierCondition("email"))
        'EXISTS { MATCH (p)<-[:IN]-(:Identifier {type: $seg0}) }'
        >>> compiler.params
        {'seg0': 'email'}
    """

    def __init__(
        self, method: str, as_of: datetime | None = None, traits: TraitSettings | None = None
    ) -> None:
        self.method = method
        self.as_of = as_of or datetime.now(UTC)
        self.traits = traits or TraitSettings()
        self.params: dict[str, object] = {}

    def bind(self, value: object) -> str:
        name = f"seg{len(self.params)}"
        self.params[name] = value
        return name

    def condition(self, condition: Condition) -> str:
        if isinstance(condition, AllOf):
            if not condition.conditions:
                return TRUE
            return "(" + " AND ".join(self.condition(c) for c in condition.conditions) + ")"
        if isinstance(condition, AnyOf):
            if not condition.conditions:
                return FALSE
            return "(" + " OR ".join(self.condition(c) for c in condition.conditions) + ")"
        if isinstance(condition, Not):
            return f"(NOT {self.condition(condition.condition)})"
        if isinstance(condition, IdentifierCondition):
            return HAS_IDENTIFIER % self.bind(condition.identifier_type)
        if isinstance(condition, ConsentCondition):
            if condition.identifier_type is None:
                return HAS_CONSENT % self.bind(condition.purpose)
            of_type = self.bind(condition.identifier_type)
            return HAS_CONSENT_OF_TYPE % (of_type, self.bind(condition.purpose))
        if isinstance(condition, AttributeCondition):
            return self.comparison("attribute", condition.name, condition.comparison)
        if isinstance(condition, TraitCondition):
            return self.trait_condition(condition)
        return self.event(condition)

    # -- attributes and event properties ------------------------------------------------------
    def comparison(self, node: str, name: str, comparison: Comparison) -> str:
        """`node` picks the fixed variable and key prefix: "attribute" (`p`) or "property"
        (`e`, inside an event count)."""
        op, operand = comparison.op, comparison.value
        if op == "ne":
            return f"(NOT {self.comparison(node, name, Comparison('eq', operand))})"
        variable, prefix = _NODES[node]
        value = f"{variable}[${self.bind(prefix + name)}]"
        if op == "exists":
            return (EXISTS if operand else MISSING) % {"v": value}
        if op == "in":
            assert isinstance(operand, tuple)
            # true and false are 1 and 0 for `in`, as SQLite's JSON reads them
            values = [int(v) if isinstance(v, bool) else v for v in operand]
            return IN_LIST % {"v": value, "x": self.bind(values)}
        if op == "contains":
            return CONTAINS % {"v": value, "x": self.bind(operand)}
        return COMPARE % {"v": value, "op": _OPERATORS[op], "x": self.bind(operand)}

    # -- traits -------------------------------------------------------------------------------
    def trait_condition(self, condition: TraitCondition) -> str:
        comparison = condition.comparison
        if comparison.op == "ne":
            equal = TraitCondition(condition.trait, Comparison("eq", comparison.value))
            return f"(NOT {self.trait_condition(equal)})"
        operand = comparison.value
        if isinstance(operand, datetime):
            operand = iso(operand)
        expression = self.trait(condition.trait)
        return COMPARE % {"v": expression, "op": _OPERATORS[comparison.op], "x": self.bind(operand)}

    def trait(self, name: str) -> str:
        """The Cypher value of a trait, with the arithmetic of `domain.traits.compute_traits`."""
        if name in SIMPLE_TRAITS:
            return SIMPLE_TRAITS[name]
        if name in TIME_TRAITS:
            return FIRST_SEEN if name == "first_seen" else LAST_SEEN
        if name == "data_quality":
            standard = self.bind([ATTRIBUTE_PREFIX + a for a in STANDARD_ATTRIBUTES])
            types = self.bind(list(self.traits.identifier_types))
            wanted = len(STANDARD_ATTRIBUTES) + len(self.traits.identifier_types)
            return DATA_QUALITY % (standard, types, wanted)
        if name == "recency_days":
            return RECENCY % {"d": self._days_to_as_of(LAST_SEEN)}
        tenure = TENURE % {"d": self._days_to_as_of(FIRST_SEEN), "y": repr(DAYS_PER_YEAR)}
        if name == "purchase_frequency":
            return f"(coalesce(p.act_orders, 0) / {tenure})"
        if name != "customer_lifetime_value":
            raise ValueError(f"{name!r} is not a trait")
        lifespan = self.bind(float(self.traits.expected_lifespan_years))
        return f"({REVENUE} * ${lifespan} / {tenure})"

    def _days_to_as_of(self, moment: str) -> str:
        return DAYS_TO_AS_OF % (moment, self.bind(self.as_of.date().isoformat()))

    # -- events -------------------------------------------------------------------------------
    def event(self, condition: EventCondition) -> str:
        """Events credited to the profile: counts by type from the aggregates when no window
        or property filter applies, else counted through the `event_credit` index."""
        if condition.within_days is None and not condition.where:
            event_type = self.bind(condition.event_type)
            return EVENTS_OF_TYPE % (event_type, self.bind(condition.at_least))
        event_type = self.bind(condition.event_type)
        filters = [ANY_TIME]
        if condition.within_days is not None:
            since = self.bind(iso(self.as_of - timedelta(days=condition.within_days)))
            filters = [IN_WINDOW % (since, self.bind(iso(self.as_of)))]
        filters += [self._property(p) for p in condition.where]
        return CREDITED_EVENTS % (event_type, " AND ".join(filters), self.bind(condition.at_least))

    def _property(self, condition: PropertyCondition) -> str:
        return self.comparison("property", condition.name, condition.comparison)

    def sizes(self, conditions: list[Condition]) -> str:
        """The list of member counts that replaces `$sizes` in `segment_sizes`."""
        counts = [COUNT_MEMBERS % self.condition(c) for c in conditions]
        return "[" + ", ".join(counts) + "]"

    def matches(self, conditions: list[Condition]) -> str:
        """The list of booleans that replaces `$matches` in `segment_memberships`."""
        return "[" + ", ".join(self.condition(c) for c in conditions) + "]"

    def value(self, trait: str) -> str:
        """The trait expression that replaces `$value` in `buyer_values`."""
        return self.trait(trait)


def fill(skeleton: LiteralString, placeholder: str, expression: str) -> LiteralString:
    """The skeleton with its one placeholder (outside the header comment) replaced by a
    compiled expression.

    The expression is made of this module's fragments and generated parameter names only,
    so the statement is still free of client text; the driver's `LiteralString` is kept."""
    lines = skeleton.splitlines(keepends=True)
    code = [n for n, line in enumerate(lines) if not line.lstrip().startswith("//")]
    if sum(lines[n].count(placeholder) for n in code) != 1:
        raise ValueError(f"a segment skeleton must hold {placeholder} exactly once")
    for n in code:
        lines[n] = lines[n].replace(placeholder, expression)
    # Safe by construction: see the module docstring.
    return "".join(lines)  # type: ignore[return-value,unused-ignore]
