"""The embedded store's file in an operator's care: `datora backup`, a copy taken while it
serves (`store/sqlite_backup.py`), and `datora check`, whether the file is sound
(`store/sqlite_check.py`).

The copy holds every person the store holds, so it is audited (`backup`, with where it went),
recorded before the first page is copied so the copy holds its own entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from datora_graph.access_service import cli_actor
from datora_graph.cli_common import damage_named, err, fail, open_service, settings_of
from datora_graph.cli_options import DbOption
from datora_graph.domain.audit import new_audit_entry
from datora_graph.store.sqlite_backup import BackupError, back_up, usable_destination
from datora_graph.store.sqlite_check import Depth, check_file, summary
from datora_graph.store.sqlite_damage import damaged_store

NEO4J_CHECK = (
    "datora check reads the embedded store's file; check Neo4j with its own tools "
    "(neo4j-admin database check)"
)
NEO4J_BACKUP = (
    "datora backup copies the embedded store; back up Neo4j with its own tools "
    "(neo4j-admin database dump, or Neo4j's online backup)"
)


def backup(
    ctx: typer.Context,
    destination: Annotated[
        Path, typer.Argument(metavar="FILE", help="The new file (never overwritten)")
    ],
    db: DbOption = None,
) -> None:
    """Copy the store to FILE while it serves: one consistent snapshot, checked before it
    takes its name. The copy holds every person, erased ones excepted: see README, Backups."""
    settings = settings_of(ctx, db)
    if settings.store != "sqlite":
        fail(NEO4J_BACKUP, 2)
    try:
        usable_destination(destination)
    except BackupError as exc:
        fail(str(exc), 2)
    with open_service(settings, must_exist=True) as service:
        target = str(destination.resolve())
        entry = new_audit_entry(
            cli_actor(), "backup", f"copied the store to {target}", details={"to": target}
        )
        service.store.append_audit([entry])
        bar = Progress(
            SpinnerColumn(),
            TextColumn("Copying the store"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        with bar:
            task = bar.add_task("copy", total=None)
            try:
                made = back_up(
                    settings.db,
                    destination,
                    lambda done, total: bar.update(task, completed=done, total=total),
                )
            except BackupError as exc:
                fail(str(exc))
    err.print(
        f"Backed up {escape(str(settings.db))} to {escape(str(made.path))} "
        f"({made.size / 1_048_576:,.1f} MiB in {made.seconds:.1f} s)",
        soft_wrap=True,
    )


def check(
    ctx: typer.Context,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Also match every index to its table (integrity_check: slower)"
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Read the whole store file and say whether it is sound (SQLite's own check), while the
    service runs: after a disk fault, or from a monitor (exit code 1: damaged)."""
    settings = settings_of(ctx, db)
    if settings.store != "sqlite":
        fail(NEO4J_CHECK, 2)
    depth: Depth = "integrity_check" if full else "quick_check"
    with (
        open_service(settings, must_exist=True, upgrade=False),
        damage_named(settings),
        err.status(f"Reading {escape(str(settings.db))} ({depth})"),
    ):
        checked = check_file(settings.db, depth)
    if checked.problems:
        found = f"SQLite's {depth} found: {summary(checked.problems)}"
        fail(str(damaged_store(settings.db, found)))
    err.print(
        f"The store at {escape(str(settings.db))} is sound: SQLite's {depth} read "
        f"{checked.size / 1_048_576:,.1f} MiB in {checked.seconds:.1f} s and found no problem",
        soft_wrap=True,
    )
