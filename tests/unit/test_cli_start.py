"""The command line starts without the libraries only some of its commands use.

Every `datora` run pays for what `datora_graph.cli` imports before the command starts: the
web stack and the Neo4j driver are loaded by `serve` and by a Neo4j store, networkx by steward
decisions and explanations. A fresh interpreter is asked, since this one has them loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

LOADED_BY_THE_COMMANDS_THAT_USE_THEM = (
    "fastapi",
    "neo4j",
    "networkx",
    "starlette",
    "strawberry",
    "uvicorn",
)

REPORT = """
import json, sys
import datora_graph.cli
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def test_importing_the_command_line_loads_none_of_them() -> None:
    result = subprocess.run(
        [sys.executable, "-c", REPORT], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "typer" in loaded  # the report sees what the import loaded
    assert loaded.isdisjoint(LOADED_BY_THE_COMMANDS_THAT_USE_THEM), sorted(
        loaded.intersection(LOADED_BY_THE_COMMANDS_THAT_USE_THEM)
    )
