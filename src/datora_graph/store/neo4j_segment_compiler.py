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

Conditions on golden attributes, traits and events are refused with `StoreUnavailable`: the
Neo4j model keeps golden attributes and event properties as JSON strings, which Cypher 5
cannot read without plugins, and keeps no activity aggregates. They need the graph model to
hold them as properties first.
"""

from __future__ import annotations

from typing import LiteralString

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.domain.segments import (
    AllOf,
    AnyOf,
    AttributeCondition,
    Condition,
    ConsentCondition,
    EventCondition,
    IdentifierCondition,
    Not,
    TraitCondition,
)

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

CONDITION = "$condition"
SIZES = "$sizes"
MATCHES = "$matches"
_UNSUPPORTED: dict[type, str] = {
    AttributeCondition: "attribute conditions",
    TraitCondition: "trait conditions",
    EventCondition: "event conditions",
}


class SegmentCompiler:
    """One compiler per statement: it collects the parameters of every expression it returns,
    named `seg0`, `seg1`, ... so they never meet the skeleton's own parameters.

        >>> compiler = SegmentCompiler("segment_members")
        >>> compiler.condition(IdentifierCondition("email"))
        'EXISTS { MATCH (p)<-[:IN]-(:Identifier {type: $seg0}) }'
        >>> compiler.params
        {'seg0': 'email'}
    """

    def __init__(self, method: str) -> None:
        self.method = method
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
        kind = _UNSUPPORTED.get(type(condition), type(condition).__name__)
        raise StoreUnavailable(
            f"{self.method}: segment {kind} are not yet available on Neo4j (its graph model "
            "keeps golden attributes and event properties as JSON, which Cypher cannot filter "
            "on); identifier and consent conditions with all/any/not are"
        )

    def sizes(self, conditions: list[Condition]) -> str:
        """The list of member counts that replaces `$sizes` in `segment_sizes`."""
        counts = [COUNT_MEMBERS % self.condition(c) for c in conditions]
        return "[" + ", ".join(counts) + "]"

    def matches(self, conditions: list[Condition]) -> str:
        """The list of booleans that replaces `$matches` in `segment_memberships`."""
        return "[" + ", ".join(self.condition(c) for c in conditions) + "]"


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
