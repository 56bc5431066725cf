"""Segment definitions compiled to Cypher: client values are parameters, never query text, and
every compiled statement passes Neo4j's own Cypher parser (`scripts/lint-cypher`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from datora_graph.domain.errors import StoreUnavailable
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
}


def _compiled(condition: Condition) -> dict[str, tuple[str, set[str]]]:
    """Each skeleton filled with `condition`: name -> (statement, its parameters)."""
    statements: dict[str, tuple[str, set[str]]] = {}
    for name, skeleton, placeholder, build in (
        ("sizes", CYPHER.segment_sizes, compiler.SIZES, "sizes"),
        ("page", CYPHER.segment_page, compiler.CONDITION, "condition"),
        ("memberships", CYPHER.segment_memberships, compiler.MATCHES, "matches"),
        ("contacts", CYPHER.segment_contacts, compiler.CONDITION, "condition"),
    ):
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


@pytest.mark.parametrize(
    "condition",
    [
        AttributeCondition("city", Comparison("eq", "Leeds")),
        TraitCondition("total_revenue", Comparison("gte", 100)),
        EventCondition("purchase", 2, 30),
        AllOf((IdentifierCondition("email"), Not(EventCondition("purchase")))),
    ],
    ids=["attribute", "trait", "event", "nested_event"],
)
def test_conditions_neo4j_cannot_evaluate_yet_say_so_naming_the_method(
    condition: Condition,
) -> None:
    with pytest.raises(StoreUnavailable, match=r"segment_sizes: .* not yet available on Neo4j"):
        SegmentCompiler("segment_sizes").sizes([condition])


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
    for kind, condition in EVERY_KIND.items():
        for name, (statement, params) in _compiled(condition).items():
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
    assert f"{4 * len(EVERY_KIND)} files, {4 * len(EVERY_KIND)} clean" in linted.stdout


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
