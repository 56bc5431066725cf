"""What every `datora` command shares: the consoles, the settings and the store it opens,
how it fails, its progress bar and how it writes to a pipe.

Commands print results to `out` (stdout) and progress and errors to `err` (stderr), and end
a deliberate error (`DatoraError`, an unreadable file) with its message, not a traceback:

    with open_service(settings_of(ctx, db), must_exist=True) as service:
        out.print(service.stats())
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from datora_graph.answered_upgrade import upgrade_answered_items
from datora_graph.config import Settings, load_settings
from datora_graph.domain.errors import ConfigurationError, DatoraError
from datora_graph.ingest_files import UnreadableFile
from datora_graph.services import IdentityService
from datora_graph.store import open_store
from datora_graph.store.sqlite_damage import damage_in, damaged_store

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with `message` on stderr and exit code `code` (2: bad settings)."""
    err.print(f"[bold red]Error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def settings_of(ctx: typer.Context, db: Path | None) -> Settings:
    """The settings, with `--db` given after the command or before it (`datora --db x.db
    stats`); invalid settings end the command naming each variable and what is wrong."""
    chosen = _chosen_db(ctx, db)
    try:
        return load_settings(db=chosen) if chosen is not None else load_settings()
    except ConfigurationError as exc:
        fail(str(exc), code=2)


def db_hint(ctx: typer.Context, db: Path | None) -> str:
    """` --db PATH` for a command the user is told to run next, when this command line chose
    the store file (`datora --db x.db demo` or `datora demo --db x.db`); without it the next
    command finds the same file the same way (DATORA_DB or the default)."""
    chosen = _chosen_db(ctx, db)
    return f" --db {shlex.quote(str(chosen))}" if chosen is not None else ""


def _chosen_db(ctx: typer.Context, db: Path | None) -> Path | None:
    """The store file this command line names: after the command, else before it."""
    chosen: Path | None = db if db is not None else ctx.find_root().obj
    return chosen


@contextmanager
def reporting() -> Iterator[None]:
    """Deliberate errors end the command with their message, not a traceback."""
    try:
        yield
    except (DatoraError, UnreadableFile) as exc:
        fail(str(exc))


@contextmanager
def damage_named(*stores: Settings) -> Iterator[None]:
    """A store file found damaged, whichever statement met the damage, ends the command naming
    the file and what to do, not with a traceback (store/sqlite_damage.py). Of two SQLite
    stores (a migration), SQLite's report cannot say which: both are named."""
    try:
        yield
    except Exception as exc:
        files = [settings.db for settings in stores if settings.store == "sqlite"]
        if (damage := damage_in(exc)) is None or not files:
            raise
        fail(str(damaged_store(files, damage)))


@contextmanager
def open_service(
    settings: Settings, must_exist: bool = False, upgrade: bool = True
) -> Iterator[IdentityService]:
    """The service over the configured store, closed afterwards. `must_exist`: a command that
    only reads refuses to create an empty database where the person expected one. `upgrade`:
    bring a store an older release wrote up to date first (`answered_upgrade`); a rebuild,
    which derives everything again, says no."""
    if must_exist and settings.store == "sqlite" and not settings.db.exists():
        fail(
            f"No database at {settings.db}: ingest something first (datora ingest, datora demo), "
            "or name the database with --db or DATORA_DB"
        )
    new = settings.store == "sqlite" and not settings.db.exists()
    with reporting(), damage_named(settings):
        store = open_store(settings)
        if new:
            # Said, so a mistyped --db (a key created where the server never looks) shows.
            err.print(f"Created a new database at {settings.db}", soft_wrap=True)
        try:
            upgraded = upgrade_answered_items(store) if upgrade else None
            message = upgraded.message() if upgraded is not None else None
            if message:
                err.print(message, soft_wrap=True)
            yield IdentityService(store, settings)
        finally:
            store.close()


def progress_bar() -> Progress:
    """A bar on stderr that disappears when done, counting items beside the share done."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[items]:,} items"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def write_to_stdout(write: Callable[[], object]) -> None:
    """Run `write`; a reader that stops early (`| head`) ends the command quietly."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(1) from None
