"""Segment definitions compiled to Cypher: client values are parameters, never query text, and
every compiled statement passes Neo4j's own Cypher parser (`scripts/lint-cypher`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
from datora_graph.domain.traits import TRAIT_NAMES
from datora_graph.store import neo4j_segment_compiler as compiler
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_segment_compiler import SegmentCompiler, fill

ROOT = Path(__file__).resolve().parents[3]
EVIL = "x'}) DETACH DELETE p //\"$after"
PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")

EVERY_KIND: dict[str, Condition] = {
    "identifier": IdentifierCondition("email"),
    "consent": ConsentCondition("email_marketing"),
    "consent_of_type": ConsentCondition("sms_marketing", "phone"),
    "all_empty": AllOf(()),
    "any_empty": AnyOf(()),
    "nested": AllOf(
        (
            Not(AnyOf((IdentifierCondition("crm_id"), ConsentCondition("ads", "cookie_id")))),
            IdentifierCondition("phone"),
        )
    ),
    "attribute_every_operator": AllOf(
        (
            AttributeCondition("city", Comparison("eq", "Leeds")),
            AttributeCondition("city", Comparison("ne", "Leeds")),
            AttributeCondition("age", Comparison("in", (41, True, "41"))),
            AttributeCondition("tags", Comparison("contains", "vip")),
            AttributeCondition("age", Comparison("gte", 40)),
            AttributeCondition("city", Comparison("lt", "M")),
            AttributeCondition("vip", Comparison("eq", True)),
            AttributeCondition("country", Comparison("exists", True)),
            AttributeCondition("country", Comparison("exists", False)),
        )
    ),
    "trait_every_trait": AllOf(
        tuple(
            TraitCondition(
                name,
                Comparison("ne", "2026-01-01T00:00:00Z")
                if name in ("first_seen", "last_seen")
                else Comparison("gte", 1),
            )
            for name in TRAIT_NAMES
        )
    ),
    "event_counts": AnyOf((EventCondition("purchase", 2), Not(EventCondition("page_view")))),
    "event_window_and_properties": AllOf(
        (
            EventCondition("purchase", 2, 30),
            EventCondition(
                "purchase",
                1,
                None,
                (
                    PropertyCondition("revenue", Comparison("gte", 20)),
                    PropertyCondition("currency", Comparison("in", ("EUR", "USD"))),
                    PropertyCondition("coupon", Comparison("exists", False)),
                ),
            ),
        )
    ),
}


SKELETONS = (
    ("sizes", CYPHER.segment_sizes, compiler.SIZES, "sizes"),
    ("page", CYPHER.segment_page, compiler.CONDITION, "condition"),
    ("memberships", CYPHER.segment_memberships, compiler.MATCHES, "matches"),
    ("contacts", CYPHER.segment_contacts, compiler.CONDITION, "condition"),
)
ALL_SKELETONS = tuple(name for name, *_ in SKELETONS)
WRAPPED_KINDS = ("nested", "event_window_and_properties")
"""The kinds linted in every skeleton (the others in the page statement only)."""


def _compiled(
    condition: Condition, skeletons: Collection[str] = ALL_SKELETONS
) -> dict[str, tuple[str, set[str]]]:
    """The skeletons named filled with `condition`: name -> (statement, its parameters)."""
    statements: dict[str, tuple[str, set[str]]] = {}
    for name, skeleton, placeholder, build in SKELETONS:
        if name not in skeletons:
            continue
        compiled = SegmentCompiler("test")
        if build == "sizes":
            expression = compiled.sizes([condition, IdentifierCondition("email")])
        elif build == "matches":
            expression = compiled.matches([condition, IdentifierCondition("email")])
        else:
            expression = compiled.condition(condition)
        statement = fill(skeleton, placeholder, expression)
        statements[name] = (statement, set(compiled.params))
    return statements


def _code(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("//"))


def test_client_values_are_parameters_never_query_text() -> None:
    condition = AnyOf((IdentifierCondition(EVIL), ConsentCondition(EVIL, EVIL)))
    compiled = SegmentCompiler("segment_members")

    expression = compiled.condition(condition)
    statement = fill(CYPHER.segment_page, compiler.CONDITION, expression)

    assert EVIL not in statement
    assert "DETACH DELETE" not in statement
    assert list(compiled.params.values()) == [EVIL, EVIL, EVIL]
    assert set(PARAMETER.findall(expression)) == set(compiled.params)


def test_the_text_depends_only_on_the_shape_of_the_definition() -> None:
    one = SegmentCompiler("t").condition(ConsentCondition("email_marketing", "email"))
    other = SegmentCompiler("t").condition(ConsentCondition(EVIL, "phone"))

    assert one == other


def test_not_and_the_empty_combinators_are_two_valued() -> None:
    compiled = SegmentCompiler("t")

    assert compiled.condition(AllOf(())) == "true"
    assert compiled.condition(AnyOf(())) == "false"
    assert compiled.condition(Not(AllOf(()))) == "(NOT true)"


def test_the_placeholder_is_replaced_in_the_statement_not_in_its_header() -> None:
    statement = fill(CYPHER.segment_page, compiler.CONDITION, "true")

    header = [line for line in statement.splitlines() if line.startswith("//")]
    assert any(compiler.CONDITION in line for line in header)
    assert compiler.CONDITION not in _code(statement)
    assert "NOT p.junk AND true" in _code(statement)


def test_a_skeleton_without_its_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\$condition"):
        fill(CYPHER.segment_sizes, compiler.CONDITION, "true")


def test_attribute_names_and_event_property_names_are_parameters_too() -> None:
    compiled = SegmentCompiler("segment_members")
    condition = AllOf(
        (
            AttributeCondition(EVIL, Comparison("eq", EVIL)),
            EventCondition(EVIL, 1, 7, (PropertyCondition(EVIL, Comparison("contains", EVIL)),)),
        )
    )

    expression = compiled.condition(condition)

    assert EVIL not in expression
    assert compiled.params["seg0"] == f"attr_{EVIL}"
    assert f"prop_{EVIL}" in compiled.params.values()
    assert set(PARAMETER.findall(expression)) == set(compiled.params)


def test_booleans_are_one_and_zero_for_in_as_sqlite_reads_json() -> None:
    compiled = SegmentCompiler("t")

    compiled.condition(AttributeCondition("age", Comparison("in", (True, 41, "x", False))))

    assert compiled.params["seg1"] == [1, 41, "x", 0]


def test_windows_end_at_the_evaluation_time_and_traits_count_days_to_it() -> None:
    as_of = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    compiled = SegmentCompiler("t", as_of)

    compiled.condition(EventCondition("purchase", 2, 30))
    compiled.condition(TraitCondition("recency_days", Comparison("lte", 7)))

    values = list(compiled.params.values())
    assert "2026-05-11T12:00:00.000000Z" in values
    assert "2026-06-10T12:00:00.000000Z" in values
    assert "2026-06-10" in values


def test_the_value_of_a_money_trait_fills_the_buyer_values_skeleton() -> None:
    compiled = SegmentCompiler("value_distribution")

    statement = fill(CYPHER.buyer_values, compiler.VALUE, compiled.value("customer_lifetime_value"))

    lifespan = next(name for name, value in compiled.params.items() if value == 3.0)
    assert f"WITH ((coalesce(p.act_revenue_cents, 0) / 100.0) * ${lifespan} /" in _code(statement)


def _lint_tools_missing() -> str | None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed; the Cypher linter needs Node.js and npm"
    if not (ROOT / ".tools" / "cypher-lint" / "node_modules").is_dir():
        return "the Cypher parser is not installed yet (scripts/lint-cypher installs it)"
    return None


def test_compiled_statements_for_every_condition_kind_pass_the_cypher_parser(
    tmp_path: Path,
) -> None:
    missing = _lint_tools_missing()
    if missing:
        pytest.skip(missing)
    value = SegmentCompiler("value")
    filled = fill(CYPHER.buyer_values, compiler.VALUE, value.value("customer_lifetime_value"))
    # Every kind in the page statement; the other skeletons wrap the same condition code in a
    # way no kind changes, so they are linted with the two kinds that hold the most (each file
    # costs the parser about half a second: all four for every kind took 25 s of the suite).
    each_kind = {
        kind: _compiled(condition, ALL_SKELETONS if kind in WRAPPED_KINDS else ("page",))
        for kind, condition in EVERY_KIND.items()
    }
    each_kind["any"] = {"value": (filled, set(value.params))}  # the same whatever the kind
    for kind, compiled in each_kind.items():
        for name, (statement, params) in compiled.items():
            code = _code(statement)
            used = set(PARAMETER.findall(code))
            assert params <= used
            header = [f"// Compiled segment {name} statement, condition kind {kind}."]
            header.append("// Parameters:")
            header += [f"//   ${p}: a value" for p in sorted(used)]
            (tmp_path / f"{name}_{kind}.cypher").write_text("\n".join(header) + "\n" + code + "\n")

    linted = subprocess.run(
        [str(ROOT / "scripts" / "lint-cypher"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert linted.returncode == 0, linted.stdout + linted.stderr
    files = len(EVERY_KIND) + 3 * len(WRAPPED_KINDS) + 1
    assert f"{files} files, {files} clean" in linted.stdout


def test_the_linter_fails_a_broken_compiled_statement(tmp_path: Path) -> None:
    missing = _lint_tools_missing()
    if missing:
        pytest.skip(missing)
    broken = fill(CYPHER.segment_page, compiler.CONDITION, "EXISTS { MATCH (p)<-[:IN]- }")
    header = "// A broken compiled statement.\n// Parameters:\n//   $after: a\n//   $limit: b\n"
    (tmp_path / "broken.cypher").write_text(header + _code(broken) + "\n")

    linted = subprocess.run(
        [str(ROOT / "scripts" / "lint-cypher"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert linted.returncode == 1, linted.stdout
