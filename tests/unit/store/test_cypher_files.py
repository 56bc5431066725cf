"""The statement files of the Neo4j store: each one the adapter names exists, says what it does
and which parameters it takes, and nothing in `cypher/` is left unused.

`scripts/lint-cypher` checks the same files with Neo4j's own parser; these checks need no Node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import LiteralString

import pytest

from datora_graph.domain.errors import ConfigurationError
from datora_graph.store.cypher_files import SUFFIX, cypher_dir, load_statements, statement_names
from datora_graph.store.neo4j_cypher import CYPHER, Neo4jStatements

FOLDER = cypher_dir()
FILES = sorted(FOLDER.glob(f"*{SUFFIX}"))
DECLARED = re.compile(r"^//\s+\$([A-Za-z_]\w*)\s*:", re.MULTILINE)
USED = re.compile(r"\$([A-Za-z_]\w*)")
STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _header(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line)
    return lines


def _code(text: str) -> str:
    """The statement without comments and string literals."""
    lines = [line.split("//", 1)[0] for line in text.splitlines()]
    return STRING.sub("''", "\n".join(lines))


def test_the_folder_holds_statements() -> None:
    assert FOLDER.name == "cypher"
    assert len(FILES) >= 40


def test_every_statement_the_adapter_names_has_its_file() -> None:
    for name in statement_names(Neo4jStatements):
        assert (FOLDER / f"{name}{SUFFIX}").is_file(), name
        assert getattr(CYPHER, name).strip(), f"{name}{SUFFIX} is empty"


def test_nothing_in_the_folder_is_unused() -> None:
    from datora_graph.store.neo4j_redaction import RedactionStatements
    from datora_graph.store.neo4j_steward import StewardStatements

    used = (
        set(statement_names(Neo4jStatements))
        | set(statement_names(StewardStatements))
        | set(statement_names(RedactionStatements))
    )
    assert {path.stem for path in FILES} == used


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_has_a_header_saying_what_it_does_and_its_parameters(path: Path) -> None:
    header = _header(path.read_text(encoding="utf-8"))

    assert header, f"{path.name} starts with no comment"
    assert len(header[0].removeprefix("//").strip()) > 10, f"{path.name}: say what it does"
    assert any(line.removeprefix("//").strip().startswith("Parameters:") for line in header)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_header_declares_exactly_the_parameters_the_statement_uses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")

    declared = set(DECLARED.findall("\n".join(_header(text))))
    used = set(USED.findall(_code(text)))

    assert declared == used, path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_file_holds_one_statement(path: Path) -> None:
    assert ";" not in _code(path.read_text(encoding="utf-8")), path.name


def test_schema_statements_are_idempotent_and_run_on_community() -> None:
    schema = [_code(statement) for statement in CYPHER.schema()]

    assert len(schema) == len([n for n in statement_names(Neo4jStatements) if "schema_" in n])
    for statement in schema:
        assert statement.lstrip().startswith("CREATE ")
        assert "IF NOT EXISTS" in statement
        assert "NODE KEY" not in statement, "node keys need Neo4j Enterprise"


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / f"present{SUFFIX}").write_text("// Present.\n// Parameters: none\nRETURN 1\n")

    @dataclass(frozen=True)
    class Statements:
        present: LiteralString
        absent: LiteralString

    with pytest.raises(ConfigurationError, match=r"absent\.cypher") as refused:
        load_statements(Statements, tmp_path)

    assert str(tmp_path) in str(refused.value)
    assert "present" not in str(refused.value).split(":", 1)[1]


def test_a_statement_is_loaded_exactly_as_written(tmp_path: Path) -> None:
    text = "// Counts profiles.\n// Parameters: none\nMATCH (p:Profile) RETURN count(p) AS n\n"
    (tmp_path / f"count{SUFFIX}").write_text(text)

    @dataclass(frozen=True)
    class Statements:
        count: LiteralString

    assert load_statements(Statements, tmp_path).count == text


@pytest.mark.parametrize("name", ["journey_pages", "journey_pages_newest_first"])
def test_a_journey_page_merges_a_page_of_each_identifier(name: str) -> None:
    """Each identifier's events are ordered and cut to a page in a subquery of their own, the
    same order as the profile's page, before the pages are merged: the sort holds identifiers
    x page size events, never the whole journey (the conformance suite checks the answers)."""
    code = _code((FOLDER / f"{name}{SUFFIX}").read_text())
    per_identifier = re.search(
        r"CALL \(i\) \{\s*MATCH \(:EventKey \{key: i\.key\}\)<-\[:CARRIES\]-\(e:Event\)"
        r"[^{}]*RETURN e\s+ORDER BY (?P<order>[^\n]+)\s+LIMIT \$limit\s*\}\s*WITH DISTINCT e\s+"
        r"ORDER BY (?P<merged>[^\n]+)\s+LIMIT \$limit",
        code,
    )
    assert per_identifier, code
    assert per_identifier["order"] == per_identifier["merged"]
