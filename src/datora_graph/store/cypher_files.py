"""Every Cypher statement the Neo4j store runs is a file `cypher/<name>.cypher`, loaded by name.

A store declares its statements as the fields of a frozen dataclass; `load_statements` reads
one file per field, once, when the store module is imported, and fails naming every missing
file. The text is run exactly as written, header comment included (Neo4j ignores comments),
so what `scripts/lint-cypher` checks is what runs:

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Statements:
    ...     read_log: LiteralString
    >>> load_statements(Statements).read_log.startswith("// One page of the observation log")
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, LiteralString, TypeVar

from datora_graph.domain.errors import ConfigurationError

_Statements = TypeVar("_Statements")

SUFFIX = ".cypher"


def cypher_dir_candidates() -> Sequence[Path]:
    """Where `cypher/` may be: inside the installed package (a wheel that bundles it), else at
    the root of a source checkout (an editable install, the Docker image)."""
    package = Path(__file__).resolve().parent.parent
    return (package / "cypher", package.parent.parent / "cypher")


def cypher_dir() -> Path:
    """The folder holding the statement files."""
    for candidate in cypher_dir_candidates():
        if candidate.is_dir():
            return candidate
    looked = ", ".join(str(c) for c in cypher_dir_candidates())
    raise ConfigurationError(f"the Cypher statement folder is missing (looked in {looked})")


def statement_names(statements: type[Any]) -> list[str]:
    """The statement names a dataclass of statements declares, in declaration order."""
    return [f.name for f in dataclasses.fields(statements)]


def load_statements(statements: type[_Statements], folder: Path | None = None) -> _Statements:
    """An instance of `statements` whose every field holds the text of `<field name>.cypher`."""
    folder = folder or cypher_dir()
    names = statement_names(statements)
    missing = [name for name in names if not (folder / f"{name}{SUFFIX}").is_file()]
    if missing:
        files = ", ".join(f"{name}{SUFFIX}" for name in missing)
        raise ConfigurationError(f"Cypher statement files missing from {folder}: {files}")
    texts: dict[str, LiteralString] = {}
    for name in names:
        text = (folder / f"{name}{SUFFIX}").read_text(encoding="utf-8")
        if not text.strip():
            raise ConfigurationError(f"Cypher statement file {folder / name}{SUFFIX} is empty")
        # The driver asks for LiteralString so that queries are never built from values. These
        # texts are fixed files of the project, never formatted with input (every value they
        # use is a $parameter): this is the one place a str is taken as a query.
        texts[name] = text  # type: ignore[assignment,unused-ignore]
    return statements(**texts)
