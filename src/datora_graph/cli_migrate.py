"""The `datora migrate` command (registered by `cli`): carry a store into another.

    datora migrate --db data/demo.db --to neo4j        # Neo4j from DATORA_NEO4J_* settings
    DATORA_STORE=neo4j datora migrate --to sqlite --target-db data/back.db

The source is the configured store (`--db` / `DATORA_*`); the target is chosen by `--to` (and
`--target-db` for SQLite), with the other settings shared. The command helpers (settings,
error handling, consoles) are `cli`'s, imported when the command runs.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from datora_graph.cli_common import (
    damage_named,
    err,
    fail,
    out,
    progress_bar,
    reporting,
    settings_of,
)
from datora_graph.cli_options import DbOption
from datora_graph.config import Settings
from datora_graph.domain.errors import MigrationWouldReject
from datora_graph.migrate import STAGES, Migration, MigrationReport, Stage, check_log
from datora_graph.store.base import GraphStore

ToOption = Annotated[
    Literal["sqlite", "neo4j"],
    typer.Option("--to", help="The store to migrate into", show_default=False),
]
TargetDbOption = Annotated[
    Path | None,
    typer.Option(
        "--target-db",
        help="With --to sqlite: the SQLite file to migrate into",
        show_default=False,
        dir_okay=False,
    ),
]
IntoNonemptyOption = Annotated[
    bool,
    typer.Option(
        "--into-nonempty",
        help="Add to a target that already holds data (what it has is skipped by ID)",
    ),
]
AllowRejectionsOption = Annotated[
    bool,
    typer.Option(
        "--allow-rejections",
        help="Migrate even if the current settings reject logged observations the source's "
        "graph holds (the target keeps them in its log and `datora rejected` lists them)",
    ),
]


def migrate(
    ctx: typer.Context,
    to: ToOption,
    target_db: TargetDbOption = None,
    into_nonempty: IntoNonemptyOption = False,
    allow_rejections: AllowRejectionsOption = False,
    db: DbOption = None,
) -> None:
    """Replay the observation log of the configured store into another store (and carry its
    events, consent, cannot-links, segments, rejected items, steward decisions, API keys and
    audit log); the profiles come out the same, and are compared at the end. It first checks
    the whole log under the current settings and stops, before it opens the target, if they
    would reject records the source's graph holds."""
    source_settings = settings_of(ctx, db)
    if source_settings.store == "sqlite" and not source_settings.db.exists():
        fail(f"No database at {source_settings.db} to migrate from: name it with --db or DATORA_DB")
    target_settings = _target_settings(source_settings, to, target_db)
    batch_size = source_settings.ingest_batch_size
    with (
        reporting(),
        damage_named(source_settings, target_settings),
        _opened(source_settings) as source,
    ):
        if not allow_rejections:
            _check_log(source, target_settings, batch_size)
        with _opened(target_settings) as target:
            migration = Migration(source, target, target_settings, batch_size)
            migration.check_target(into_nonempty)
            err.print(
                f"Migrating {escape(_describe(source_settings))} into "
                f"{escape(_describe(target_settings))}; writes into either store (datora "
                "serve, datora ingest, stewards) wait until it is done",
                soft_wrap=True,
            )
            with _bar(migration) as advance:
                report = migration.run(
                    into_nonempty=into_nonempty,
                    progress=advance,
                    allow_rejections=allow_rejections,
                    log_checked=True,
                )
    _print_summary(report, _rejected_command(target_settings))
    if report.source_changed:
        fail(
            "the source was written to while it was migrated, beside its writer lock, and the "
            f"target may lack it: {'; '.join(report.source_changed)}. Stop what writes into "
            "the source (consent calls, segment or API key changes, other writers once a Neo4j "
            "lock times out) and migrate again into an empty target"
        )
    check = report.verification
    if check.unexplained and report.rejected_on_replay:
        fail(
            f"{_differ(check.unexplained)} in ways the observations rejected on replay do "
            "not explain (see above): compare the settings the migration ran under "
            "(DATORA_*) with the source's, and look for other writes into the target"
        )
    if check.unexplained:
        fail(
            f"the profiles differ: {check.missing:,} missing from the target, "
            f"{check.different:,} different (see above)"
        )


def _check_log(source: GraphStore, settings: Settings, batch_size: int) -> None:
    """Refuse, before the target is opened (a SQLite file is not even created), a log the
    settings would reject records of."""
    with progress_bar() as bar:
        task = bar.add_task("Checking the log", total=source.stats().observations, items=0)
        try:
            check_log(source, settings, batch_size, lambda n: bar.update(task, advance=n))
        except MigrationWouldReject as refusal:
            fail(f"{refusal}\nTo migrate anyway, run it again with --allow-rejections.")


def _target_settings(source: Settings, to: str, target_db: Path | None) -> Settings:
    if to == "sqlite":
        if target_db is None:
            fail("--to sqlite needs --target-db, the SQLite file to migrate into", 2)
        if source.store == "sqlite" and target_db.resolve() == source.db.resolve():
            fail(f"--target-db {target_db} is the source database itself", 2)
        return source.model_copy(update={"store": "sqlite", "db": target_db})
    if target_db is not None:
        fail("--target-db is for --to sqlite; Neo4j is named by DATORA_NEO4J_URI", 2)
    if source.store == "neo4j":
        fail(
            f"the source is already Neo4j at {source.neo4j_uri}: point DATORA_STORE=sqlite and "
            "--db at the SQLite file to migrate from",
            2,
        )
    return source.model_copy(update={"store": "neo4j"})


@contextmanager
def _opened(settings: Settings) -> Iterator[GraphStore]:
    from datora_graph.store import open_store

    if settings.store == "sqlite" and not settings.db.parent.exists():
        fail(f"no folder {settings.db.parent} for the SQLite file {settings.db}")
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def _rejected_command(settings: Settings) -> str:
    """The command that lists the target's rejected items."""
    if settings.store == "neo4j":
        return "DATORA_STORE=neo4j datora rejected"
    return shlex.join(["datora", "rejected", "--db", str(settings.db)])


def _describe(settings: Settings) -> str:
    if settings.store == "neo4j":
        return f"Neo4j at {settings.neo4j_uri} (database {settings.neo4j_database})"
    return f"SQLite at {settings.db}"


@contextmanager
def _bar(migration: Migration) -> Iterator[Callable[[Stage, int], None]]:
    totals = migration.totals()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<13}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )
    with progress:
        tasks = {stage: progress.add_task(stage, total=totals[stage]) for stage in STAGES}

        def advance(stage: Stage, count: int) -> None:
            progress.update(tasks[stage], advance=count)

        yield advance
        for stage in STAGES:
            if totals[stage] is None:  # counted as they came: the bar ends full
                progress.update(tasks[stage], total=progress.tasks[tasks[stage]].completed)


def _print_summary(report: MigrationReport, rejected_command: str) -> None:
    check = report.verification
    table = Table(title="Migration", show_header=True, header_style="bold")
    table.add_column("")
    table.add_column("source", justify="right")
    table.add_column("carried", justify="right")
    table.add_row("observations", f"{report.source_observations:,}", f"{report.observations:,}")
    if report.rejected_on_replay:
        table.add_row("refused on replay", "", f"{report.rejected_on_replay:,}", style="red")
    table.add_row("events", f"{report.source_events:,}", f"{report.events:,}")
    table.add_row("cannot-links", "", f"{report.cannot_links:,}")
    table.add_row("consent statements", "", f"{report.consent_statements:,}")
    table.add_row("segments", "", f"{report.segments:,}")
    table.add_row("rejected items", "", f"{report.rejections:,}")
    table.add_row("erased records", "", f"{report.erased_records:,}")
    table.add_row("steward decisions", "", f"{report.steward_decisions:,}")
    table.add_row("  applied again", "", f"{report.decisions_reapplied:,}")
    table.add_row("API keys", "", f"{report.api_keys:,}")
    table.add_row("audit entries", "", f"{report.audit_entries:,}")
    table.add_row("profiles (target)", f"{check.source_profiles:,}", f"{check.target_profiles:,}")
    out.print(table)
    for skipped in report.decisions_skipped:
        out.print(f"[yellow]decision not applied in the target:[/] {escape(skipped)}")
    if report.rejected_on_replay:
        count = report.rejected_on_replay
        these = "observation is" if count == 1 else "observations are"
        out.print(
            f"[yellow]{count:,} logged {these} rejected by the current settings: in the "
            f"target's log, in no profile, and listed as rejected:[/] {escape(rejected_command)}",
            soft_wrap=True,
        )
    if check.extra:
        out.print(
            f"{check.extra:,} profiles in the target have no profile of that ID in the source "
            "(not compared)"
        )
    if check.matches:
        out.print(
            f"[green]The partitions match:[/] all {check.source_profiles:,} profiles have the "
            "same ID, identifiers and golden attributes in both stores."
        )
        return
    if check.explained:
        out.print(
            f"[yellow]{_differ(check.explained)} because of the observations rejected on "
            "replay (--allow-rejections):[/]",
            soft_wrap=True,
        )
        for example in check.explained_examples:
            out.print(f"  {escape(example)}", soft_wrap=True)
    if not check.unexplained:
        return
    if check.explained or report.rejected_on_replay:
        out.print(
            f"[bold red]{_differ(check.unexplained)} in ways the observations rejected on "
            "replay do not explain:[/]",
            soft_wrap=True,
        )
    else:
        out.print(
            f"[bold red]The partitions differ:[/] {check.missing:,} profiles missing from the "
            f"target, {check.different:,} different.",
            soft_wrap=True,
        )
    for example in check.examples:
        out.print(f"  {escape(example)}", soft_wrap=True)


def _differ(count: int) -> str:
    return f"{count:,} profile differs" if count == 1 else f"{count:,} profiles differ"
