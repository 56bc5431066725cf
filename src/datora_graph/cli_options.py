"""Options every `datora` command group shares, so `--db` reads the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="SQLite database file [default: $DATORA_DB, else datora.db]",
        show_default=False,
        dir_okay=False,
    ),
]
