"""The README quick tour's command-line block, run as written in a fresh directory over a file
made of the README's own observations (the quick tour's and the wire format's)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from tests.e2e.test_cli import cli_env, datora_executable

pytestmark = pytest.mark.slow

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def tour_commands() -> list[list[str]]:
    """The `datora …` lines of the quick tour's second bash block, without their comments."""
    tour = README.split("## Quick tour", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", tour, re.S)[1]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith("datora ")]


def readme_observations() -> list[dict[str, object]]:
    posted = re.search(r"-d '(\{.*?\})'", README.split("## Quick tour", 1)[1], re.S)
    assert posted is not None
    wire = README.split("**Observation**", 1)[1]
    example = re.search(r"```json\n(.*?)```", wire, re.S)
    assert example is not None
    return [*json.loads(posted.group(1))["observations"], json.loads(example.group(1))]


def test_the_quick_tour_commands_work_as_written(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(o) + "\n" for o in readme_observations()))
    commands = tour_commands()
    assert [c[3:5] for c in commands] == [
        ["ingest", "observations"],
        ["profile", "show"],
        ["export", "profiles"],
        ["resolve", "--rebuild"],
    ]

    ran = [
        subprocess.run(
            [datora_executable(), *command[1:]],
            cwd=tmp_path,
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        for command in commands
    ]

    assert [r.returncode for r in ran] == [0, 0, 0, 0], [r.stderr for r in ran]
    ingested, shown, _, rebuilt = (r.stdout for r in ran)
    assert re.search(r"accepted\s*│\s*2\b", ingested), ingested
    assert "+14155552671" in shown, shown
    exported = [json.loads(line) for line in (tmp_path / "profiles.jsonl").read_text().splitlines()]
    assert sorted(p["attributes"]["first_name"] for p in exported) == ["Ann", "Bo"]
    assert re.search(r"profiles\s*│\s*2\b", rebuilt), rebuilt
    export = commands[2]
    subprocess.run(
        [datora_executable(), *export[1:-1], "again.jsonl"], cwd=tmp_path, env=cli_env(), check=True
    )
    again = [json.loads(line) for line in (tmp_path / "again.jsonl").read_text().splitlines()]
    assert again == exported, "the rebuild gives the same profiles, with the same IDs"


def command_table() -> list[tuple[list[str], set[str]]]:
    """Each command of the README's command table, as its path under `datora` and the options
    the table names for it; `datora steward merge …` / `resolve …` is two commands."""
    section = README.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `datora ")]
    commands: list[tuple[list[str], set[str]]] = []
    for row in rows:
        first_cell = re.split(r"(?<!\\)\|", row)[1]
        path: list[str] = []
        for span in re.findall(r"`([^`]+)`", first_cell):
            words = span.split()
            if words[0] == "datora":
                words, path = words[1:], []
            else:
                path = path[:-1]
            for word in words:
                if not re.fullmatch(r"[a-z]+", word):
                    break
                path = [*path, word]
            commands.append((path, set(re.findall(r"--[a-z][a-z-]*", span))))
    return commands


def test_the_command_table_names_only_commands_and_options_that_exist() -> None:
    import typer

    from datora_graph.cli import app

    root = typer.main.get_command(app)
    table = command_table()
    assert len(table) > 25, table
    for path, options in table:
        command = root
        for name in path:
            subcommands = getattr(command, "commands", {})  # a group (typer's own click's)
            assert name in subcommands, f"datora {' '.join(path)}: no command {name!r}"
            command = subcommands[name]
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        assert options <= known, f"datora {' '.join(path)}: {sorted(options - known)} unknown"


def test_every_command_is_in_the_command_table() -> None:
    import typer

    from datora_graph.cli import app

    def leaves(command: object, path: tuple[str, ...]) -> set[tuple[str, ...]]:
        subcommands: dict[str, object] = getattr(command, "commands", {})
        if not subcommands:
            return {path}
        return set().union(*(leaves(c, (*path, n)) for n, c in subcommands.items()))

    listed = {tuple(path) for path, _ in command_table()}
    assert leaves(typer.main.get_command(app), ()) - listed == set()
