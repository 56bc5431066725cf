"""`scripts/lint-cypher`, the CI step that checks every Cypher file with Neo4j's own parser:
it fails, naming file and line, on a broken statement, an unknown function and an undeclared
parameter. That it passes on `cypher/` is not asked here: `scripts/test` runs it on `cypher/`
before the tests, and fails CI when it does not. Skipped with the reason where Node.js or npm
is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "scripts" / "lint-cypher"

pytestmark = [
    pytest.mark.slow,  # runs Node, and installs the parser with npm the first time
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None,
        reason="the Cypher linter needs Node.js and npm, which are not installed here",
    ),
]

CLEAN = "// Counts profiles.\n// Parameters: none\nMATCH (p:Profile)\nRETURN count(p) AS n\n"


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), str(folder)], capture_output=True, text=True, timeout=600, check=False
    )


def _folder(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.cypher").write_text(text, encoding="utf-8")
    return tmp_path


BROKEN = "// Finds a profile.\n// Parameters: none\nMATCH (p:Profile\nRETURN p\n"
UNKNOWN_FUNCTION = (
    "// Sums.\n// Parameters: none\nUNWIND [1, 2] AS x\nRETURN apoc.coll.sum([x]) AS s\n"
)
UNDECLARED = "// Finds a profile.\n// Parameters: none\nMATCH (p:Profile {id: $id})\nRETURN p\n"


def test_each_broken_file_fails_the_lint_naming_file_and_line(tmp_path: Path) -> None:
    """One run over a folder with a clean file beside three broken ones (Node takes seconds
    to start the parser, so the cases share it)."""
    folder = _folder(
        tmp_path, clean=CLEAN, broken=BROKEN, unknown=UNKNOWN_FUNCTION, undeclared=UNDECLARED
    )

    result = _lint(folder)

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "broken.cypher:4: error: Invalid input 'RETURN'" in out
    assert "unknown.cypher:4: error: Function apoc.coll.sum is not present" in out
    assert "undeclared.cypher:3: error: $id is used but not declared" in out
    assert "clean.cypher" not in out
    assert "4 files, 1 clean, 3 with problems" in out
