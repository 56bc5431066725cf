"""`datora --help` and each group's listing: one line per command, a whole sentence."""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from datora_graph.cli import app
from datora_graph.cli_help import summary

ROOT = typer.main.get_command(app)
assert isinstance(ROOT, TyperGroup)
GROUPS = sorted(name for name, command in ROOT.commands.items() if isinstance(command, TyperGroup))


@pytest.mark.parametrize("group", ["", *GROUPS])
def test_each_command_is_listed_on_one_line(group: str) -> None:
    """Typer kept the line breaks of a docstring's first paragraph: a summary wrapped in the
    source came out as ragged lines, wrapped again at the terminal's width."""
    listed = ROOT.commands[group] if group else ROOT
    assert isinstance(listed, TyperGroup)
    names = list(listed.commands)

    result = CliRunner().invoke(app, [*group.split(), "--help"], env={"COLUMNS": "400"})

    assert result.exit_code == 0, result.output
    panel = result.output.split("Commands ")[1].splitlines()[1:]
    rows = [line.strip("│ ") for line in panel if line.startswith("│")]
    assert [row.split()[0] for row in rows] == names, "one row per command, no continuation"
    assert all(row.rstrip().endswith((".", ")")) for row in rows), rows


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("One line.", "One line."),
        (
            "Rebuild, e.g. after a change\nof settings. Checks.",
            "Rebuild, e.g. after a change of settings.",
        ),
        ("Wrapped over\n   two lines. Then more.\n\nAnother paragraph.", "Wrapped over two lines."),
        ("Ends in `code`. Next.", "Ends in `code`."),
        ("", None),
    ],
)
def test_a_summary_is_the_first_sentence_on_one_line(text: str, first: str | None) -> None:
    assert summary(text) == first
