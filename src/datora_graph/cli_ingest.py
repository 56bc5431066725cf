"""`datora ingest` and `datora rejected`: send observations or events from a file, and list
what was not accepted (registered by `cli`).

    datora ingest observations crm.csv --db data/demo.db
    datora ingest events shop.jsonl --db data/demo.db
    datora rejected --kind observation
    datora rejected --payloads > fix-me.jsonl

A file is read as it is sent, with a progress bar over its bytes; the report counts accepted,
duplicate and rejected items and names the first rejected lines with their reasons.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from datora_graph.access_service import cli_actor
from datora_graph.bulk import ParsedObservationFile, fewer_collections
from datora_graph.cli_common import (
    db_hint,
    err,
    fail,
    open_service,
    out,
    progress_bar,
    reporting,
    settings_of,
    write_to_stdout,
)
from datora_graph.cli_options import DbOption
from datora_graph.domain.profiles import MAX_PAGE_SIZE, MAX_POSITION, RejectionFilter
from datora_graph.domain.records import RecordKind
from datora_graph.ingest_files import FileFormat, RecordFile, UnreadableFile, open_record_file
from datora_graph.services import IdentityService, IngestReport

ingest_app = typer.Typer(
    no_args_is_help=True,
    help="Send observations or events from a JSONL or CSV file (UTF-8, header row). CSV "
    "observations need the columns id, source, observed_at; events id, type, occurred_at, "
    "source. A column named after an identifier type (email, phone, crm_id, ..., or email_2) "
    "holds an identifier; every other column is an attribute (observations) or a property "
    "(events). Empty cells are left out.",
)

FIRST_REJECTIONS_SHOWN = 10
FormatOption = Annotated[
    FileFormat | None,
    typer.Option(
        "--format",
        help="File format [default: from the extension: .jsonl, .ndjson or .csv]",
        show_default=False,
    ),
]
KindOption = Annotated[RecordKind | None, typer.Option("--kind", show_default=False)]


def ingest_with_progress(
    service: IdentityService,
    kind: RecordKind,
    items: RecordFile | ParsedObservationFile | Sequence[object],
    label: str,
) -> IngestReport:
    """A file's bar measures bytes read (no need to count its lines first); a list's, items."""
    file: RecordFile | ParsedObservationFile | None = None
    if isinstance(items, RecordFile | ParsedObservationFile):
        file, total = items, items.size
    else:
        total = len(items)
    with progress_bar() as bar:
        task = bar.add_task(label, total=total or None, items=0)
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            completed = file.bytes_read if file is not None else done
            bar.update(task, completed=completed, items=done)

        if isinstance(items, ParsedObservationFile):
            return service.ingest_parsed_stream(items, progress=advance, actor=cli_actor())
        return service.ingest_stream(kind, items, progress=advance, actor=cli_actor())


# -- ingest -----------------------------------------------------------------------------------
FileArgument = Annotated[Path, typer.Argument(help="A .jsonl or .csv file", show_default=False)]


@ingest_app.command("observations")
def ingest_observations(
    ctx: typer.Context, file: FileArgument, file_format: FormatOption = None, db: DbOption = None
) -> None:
    """Ingest observations: identifiers seen together, with attributes."""
    _ingest(ctx, "observation", file, file_format, db)


@ingest_app.command("events")
def ingest_events(
    ctx: typer.Context, file: FileArgument, file_format: FormatOption = None, db: DbOption = None
) -> None:
    """Ingest events: what a customer did, under which identifiers."""
    _ingest(ctx, "event", file, file_format, db)


def _ingest(
    ctx: typer.Context,
    kind: RecordKind,
    file: Path,
    file_format: FileFormat | None,
    db: Path | None,
) -> None:
    settings = settings_of(ctx, db)
    records: RecordFile | ParsedObservationFile
    with reporting():
        if kind == "observation":
            # Started before the store opens its threads, so the parser may be forked.
            records = ParsedObservationFile(file, settings, file_format)
        else:
            types = settings.identifier_registry().types
            records = open_record_file(file, kind, types, file_format)
    with records, open_service(settings) as service, fewer_collections():
        try:
            report = ingest_with_progress(service, kind, records, f"Ingesting {file.name}")
        except UnreadableFile as exc:
            fail(
                f"{exc}. The batches sent before this line are stored; fix the file and send it "
                "again (items already received are skipped as duplicates)."
            )
        except KeyboardInterrupt:
            err.print(
                "Interrupted. The batches sent so far are stored; run the same command again to "
                "send the rest (items already received are skipped as duplicates)."
            )
            raise typer.Exit(130) from None
    print_ingest_report(report, f"{kind}s from {file}", records, db_hint(ctx, db))


def print_ingest_report(
    report: IngestReport,
    what: str,
    records: RecordFile | ParsedObservationFile | None,
    db_part: str,
) -> None:
    out.print(Text(f"Ingested {what}", style="bold"), soft_wrap=True)
    table = Table()
    table.add_column("status")
    table.add_column("items", justify="right")
    table.add_row("accepted", f"{report.accepted:,}")
    table.add_row("duplicate", f"{report.duplicates:,}")
    table.add_row("rejected", f"{report.rejected:,}", style="red" if report.rejected else None)
    out.print(table)
    _print_noted(report, records)
    rejected = [r for r in report.results if r.status == "rejected"]
    if not rejected:
        return
    shown = rejected[:FIRST_REJECTIONS_SHOWN]
    out.print(f"First {len(shown)} rejected:" if len(rejected) > len(shown) else "Rejected:")
    for result in shown:
        where = f"line {records.line_of(result.index)}" if records else f"item {result.index}"
        problem = records.problems.get(result.index) if records else None
        if problem is not None and result.field in ("", None, "cells_without_a_column"):
            line = f"  {where}: {problem}"  # the reader's words for what made it unreadable
        else:
            item = f" (id {result.id})" if result.id else ""
            field = f"{result.field}: " if result.field else ""
            line = f"  {where}{item}: {field}{result.reason}"
            if problem is not None:
                line += f" (also noted: {problem})"
        out.print(Text(line), soft_wrap=True)
    kind = "observation" if "observation" in what else "event"
    out.print(
        Text(f"List every rejected item with: datora rejected --kind {kind}{db_part}"),
        soft_wrap=True,
    )


def _print_noted(report: IngestReport, records: RecordFile | ParsedObservationFile | None) -> None:
    """What the reader noted about lines not listed as rejected: taken, but not quite as
    written (a CSV revenue cell that is not a number, kept as text)."""
    if records is None:
        return
    listed = {r.index for r in report.results if r.status == "rejected"}
    noted = sorted(index for index in records.problems if index not in listed)
    if not noted:
        return
    shown = noted[:FIRST_REJECTIONS_SHOWN]
    out.print(f"First {len(shown)} noted:" if len(noted) > len(shown) else "Noted:")
    for index in shown:
        line = f"  line {records.line_of(index)}: {records.problems[index]}"
        out.print(Text(line), soft_wrap=True)


# -- rejected -----------------------------------------------------------------------------------
def rejected(
    ctx: typer.Context,
    kind: KindOption = None,
    after: Annotated[
        int, typer.Option(min=0, max=MAX_POSITION, help="Show items after this number")
    ] = 0,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE)] = 50,
    payloads: Annotated[
        bool,
        typer.Option(
            "--payloads",
            help="Instead of a table, write every rejected item as it was received, one per "
            "line, to fix and send again",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Items that were not accepted, with the field and the reason."""
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service:
        if payloads:
            write_to_stdout(lambda: _write_payloads(service, kind, after))
            return
        page = service.rejections(RejectionFilter(kind=kind, after=after, limit=limit))
    if not page.items:
        out.print("No rejected items." if after == 0 else "No more rejected items.")
        return
    table = Table()
    for column in ("#", "kind", "id", "field"):
        table.add_column(column, no_wrap=True)
    table.add_column("reason", overflow="fold")
    for seq, item in page.items:
        table.add_row(str(seq), item.kind, item.item_id or "", item.field, item.reason)
    out.print(table)
    same = (f" --kind {kind}" if kind else "") + db_hint(ctx, db)
    if page.next_after is not None:
        more = f"datora rejected{same} --limit {limit} --after {page.next_after}"
        out.print(f"More: {more}", soft_wrap=True)
    out.print(f"The items as received: datora rejected{same} --payloads", soft_wrap=True)


def _write_payloads(service: IdentityService, kind: RecordKind | None, after: int) -> None:
    """Payloads are stored as JSON; a line that was not JSON was stored as a JSON string, and
    is written back as the text it was."""
    while True:
        page = service.rejections(RejectionFilter(kind=kind, after=after, limit=MAX_PAGE_SIZE))
        for _, item in page.items:
            received = json.loads(item.payload)
            sys.stdout.write((received if isinstance(received, str) else item.payload) + "\n")
        if page.next_after is None:
            return
        after = page.next_after
