"""The `datora segment`, `datora consent` and `datora report` commands (registered by `cli`).

    datora segment define "Repeat buyers" --definition '{"event": {"type": "purchase",
        "at_least": 2, "within_days": 30}}' --purpose email_marketing
    datora segment list
    datora segment export "Repeat buyers" --identifier email --out buyers.csv
    datora consent record consent.jsonl
    datora report

The command helpers (`--db`, settings, the service, error handling) are `cli`'s, imported
when a command runs, so this module can be imported on its own.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from datora_graph.access_service import cli_actor, record_export
from datora_graph.cli_common import (
    err,
    fail,
    open_service,
    out,
    reporting,
    settings_of,
    write_to_stdout,
)
from datora_graph.cli_options import DbOption
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.insights import Insights, ValueDistribution
from datora_graph.domain.segments import SegmentContact, definition_to_json
from datora_graph.json_codec import read_client_json
from datora_graph.segment_service import SegmentService

segment_app = typer.Typer(
    no_args_is_help=True,
    help="Segments: named filters over profiles (see the README for the filter language).",
)
consent_app = typer.Typer(no_args_is_help=True, help="Record consent per identifier and purpose.")

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Evaluate at this ISO 8601 time: event windows and day counts end here [default: now]",
        show_default=False,
    ),
]
SegmentArgument = Annotated[str, typer.Argument(metavar="ID|NAME", help="seg_… or its name")]


@contextmanager
def _segments(
    ctx: typer.Context, db: Path | None, must_exist: bool = True
) -> Iterator[SegmentService]:
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=must_exist) as service, reporting():
        yield SegmentService(service.store, settings)


def _as_of(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--as-of: {raw!r} is not an ISO 8601 time (e.g. 2026-05-01T00:00:00Z)", 2)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _definition(raw: str) -> Any:
    """Inline JSON, or `@path` to a file of JSON."""
    text: str | bytes = raw
    if raw.startswith("@"):
        try:
            text = Path(raw[1:]).read_bytes()
        except OSError as exc:
            fail(f"--definition: cannot read {raw[1:]}: {exc.strerror or exc}", 2)
    try:
        return read_client_json(text, root="")
    except ValueError as exc:
        fail(f"--definition: {exc}", 2)


# -- segment ----------------------------------------------------------------------------------
@segment_app.command("define")
def define(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name of your choice, unique")],
    definition: Annotated[
        str, typer.Option("--definition", "-d", help="The filter as JSON, or @FILE holding it")
    ],
    description: Annotated[
        str | None,
        typer.Option(help="What the segment is for (with --replace: kept when not given)"),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            help="Consent purpose of its exports, e.g. email_marketing (with --replace: kept "
            "when not given; 'none' removes it)",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Update the segment of that name if it exists")
    ] = False,
    db: DbOption = None,
) -> None:
    """Define (or with --replace, redefine) a segment and show its size now."""
    raw = _definition(definition)
    with _segments(ctx, db, must_exist=False) as segments:
        existing = segments.store.segment_by_name(name.strip())
        if existing is not None and replace:
            # What is not given is kept: a redefinition that dropped the purpose would make
            # its exports leave out no one who withheld consent.
            changes: dict[str, Any] = {"definition": raw, "description": description}
            if purpose is not None:
                changes["purpose"] = None if purpose.strip().lower() == "none" else purpose
            segment = segments.update_segment(existing.id, **changes)
        else:
            segment = segments.define_segment(name, raw, description or "", purpose)
        size = segments.size(segment.id)
    verb = "Updated" if existing is not None and replace else "Defined"
    out.print(
        Text(
            f"{verb} segment {segment.id} ({segment.name}): {size.size:,} profiles, "
            f"{size.share:.1%} of {size.people:,} people; "
            + (
                f"exports only contacts consented to {segment.purpose}"
                if segment.purpose
                else "no consent purpose: exports leave no one out for consent"
            )
        ),
        soft_wrap=True,
    )


@segment_app.command("list")
def list_segments(ctx: typer.Context, as_of: AsOfOption = None, db: DbOption = None) -> None:
    """Every segment with its size now (or at --as-of)."""
    with _segments(ctx, db) as segments:
        rows = segments.segment_sizes(as_of=_as_of(as_of))
    if not rows:
        out.print("No segments yet: datora segment define NAME --definition JSON")
        return
    # IDs stay whole, to be copied; names and definitions fold onto more lines, never cut.
    table = Table()
    table.add_column("id", no_wrap=True, min_width=max(len(s.id) for s, _ in rows))
    for column in ("name", "purpose"):
        table.add_column(column, overflow="fold")
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("definition", overflow="fold", ratio=1)
    for segment, size in rows:
        table.add_row(
            segment.id,
            escape(segment.name),
            segment.purpose or "",
            f"{size.size:,}",
            f"{size.share:.1%}",
            escape(json.dumps(definition_to_json(segment.definition))),
        )
    out.print(table)


@segment_app.command("delete")
def delete(ctx: typer.Context, segment: SegmentArgument, db: DbOption = None) -> None:
    """Delete a segment (its members are untouched)."""
    with _segments(ctx, db) as segments:
        found = segments.get_segment(segment)
        segments.delete_segment(found.id)
    out.print(Text(f"Deleted segment {found.id} ({found.name})"), soft_wrap=True)


@segment_app.command("export")
def export(
    ctx: typer.Context,
    segment: SegmentArgument,
    identifier: Annotated[
        Literal["email", "phone"], typer.Option(help="Which contact identifiers")
    ] = "email",
    file_format: Annotated[Literal["csv", "jsonl"], typer.Option("--format")] = "csv",
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here instead of stdout", dir_okay=False),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
) -> None:
    """Members' contact identifiers (profile_id, type, value), leaving out junk values and
    identifiers without consent for the segment's purpose."""
    with _segments(ctx, db) as segments:
        found = segments.get_segment(segment)
        contacts = segments.export_contacts(found.id, identifier, as_of=_as_of(as_of))
        target = f"cli:{file_format}:{out_file}" if out_file else f"cli:{file_format}:stdout"
        record_export(segments.store, cli_actor(), found, identifier, target)
        if out_file is None:
            write_to_stdout(lambda: _write_contacts(contacts, sys.stdout, file_format))
            return
        try:
            handle = out_file.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            fail(f"Cannot write {out_file}: {exc.strerror or exc}")
        with handle:
            count = _write_contacts(contacts, handle, file_format)
    purpose = f" with consent for {found.purpose}" if found.purpose else ""
    err.print(
        f"Wrote {count:,} {identifier} contacts{purpose} of {escape(found.name)} to "
        f"{escape(str(out_file))}",
        soft_wrap=True,
    )


def _write_contacts(contacts: Iterator[SegmentContact], handle: IO[str], file_format: str) -> int:
    count = 0
    if file_format == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("profile_id", "type", "value"))
        for contact in contacts:
            writer.writerow((contact.profile_id, contact.identifier.type, contact.identifier.value))
            count += 1
        return count
    for contact in contacts:
        row = {"profile_id": contact.profile_id, **_identifier(contact)}
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _identifier(contact: SegmentContact) -> dict[str, str]:
    return {"type": contact.identifier.type, "value": contact.identifier.value}


# -- consent ----------------------------------------------------------------------------------
@consent_app.command("record")
def record(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON lines, one statement each (see README)")],
    db: DbOption = None,
) -> None:
    """Record consent statements from a JSONL file; an invalid line stops the command before
    anything is recorded, naming the line and the field."""
    try:
        lines = file.read_bytes().splitlines()
    except OSError as exc:
        fail(f"Cannot read {file}: {exc.strerror or exc}", 2)
    items: list[tuple[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append((f"line {number}", read_client_json(line, root="")))
        except ValueError as exc:
            fail(f"{file} line {number}: {exc}", 2)
    with _segments(ctx, db, must_exist=False) as segments:
        try:
            statements = segments.parse_consent(items)
        except InvalidInput as exc:
            # The service names the part as `line 2.identifier.value`; a person reads a file.
            where, _, part = exc.field.partition(".")
            fail(f"{file} {where}: {part + ': ' if part else ''}{exc.reason}; nothing recorded", 2)
        recorded = segments.record_parsed_consent(statements)
    statements_word = "statement" if recorded == 1 else "statements"
    out.print(f"Recorded {recorded:,} consent {statements_word}")


# -- report -----------------------------------------------------------------------------------
def report(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="Days of daily event counts")] = 14,
    db: DbOption = None,
) -> None:
    """The insights: profiles and identifiers, merges and clusters, review work, attribute
    completeness, segment sizes, revenue and CLV, events per day."""
    with _segments(ctx, db) as segments:
        insights = segments.insights(as_of=_as_of(as_of), days=days)
    out.print(Text(f"Datora Graph report at {insights.as_of:%Y-%m-%d %H:%M} UTC", style="bold"))
    for table in report_tables(insights):
        out.print(table)


def report_tables(insights: Insights) -> list[Table]:
    counts = insights.counts
    overview = Table(title="Identity graph", title_justify="left")
    overview.add_column("")
    overview.add_column("count", justify="right")
    for label, value in (
        ("profiles", f"{counts.profiles:,}"),
        ("  people", f"{counts.people:,}"),
        ("  junk-only profiles", f"{counts.junk_profiles:,}"),
        ("identifiers", f"{counts.identifiers:,}"),
        *((f"  {t}", f"{n:,}") for t, n in sorted(counts.identifiers_by_type.items())),
        ("merges", f"{counts.merges:,}"),
        ("merge rate", f"{counts.merge_rate:.1%}"),
        ("held links", f"{counts.held_links:,}"),
        ("open review items", f"{counts.open_review_items:,}"),
    ):
        overview.add_row(label, value)
    clusters = _two_columns("Cluster sizes", "identifiers", "profiles")
    for bucket in insights.cluster_sizes:
        clusters.add_row(bucket.label, f"{bucket.count:,}")
    completeness = _two_columns("Completeness", "attribute", "of people")
    for name, share in insights.completeness.items():
        completeness.add_row(name, f"{share:.1%}")
    tables = [overview, clusters, completeness]
    if insights.segments:
        sizes = Table(title="Segments", title_justify="left")
        for column in ("name", "size", "share"):
            sizes.add_column(column, justify="left" if column == "name" else "right")
        for row in insights.segments:
            sizes.add_row(escape(row.name), f"{row.size:,}", f"{row.share:.1%}")
        tables.append(sizes)
    tables += [
        _distribution(insights.revenue, insights.currency),
        _distribution(insights.clv, insights.currency),
    ]
    tables.append(_daily(insights))
    return tables


def _two_columns(title: str, first: str, second: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    table.add_column(second, justify="right")
    return table


def _distribution(values: ValueDistribution, currency: str) -> Table:
    what = "Revenue" if values.kind == "revenue" else "CLV"
    table = Table(title=f"{what} per buyer", title_justify="left")
    table.add_column("")
    table.add_column(currency, justify="right")
    table.add_row("buyers", f"{values.count:,}")
    if values.count:
        table.add_row("total", f"{values.total:,.2f}")
        table.add_row("mean", f"{values.mean:,.2f}")
        for p, value in values.percentiles.items():
            table.add_row(f"p{p}", f"{value:,.2f}")
        table.add_row("max", f"{values.maximum:,.2f}")
        for bucket in values.buckets:
            if bucket.count:
                table.add_row(f"  {bucket.label}", f"{bucket.count:,}")
    return table


def _daily(insights: Insights) -> Table:
    types = sorted({d.event_type for d in insights.events_per_day})
    table = Table(title=f"Events per day ({insights.days} days)", title_justify="left")
    table.add_column("day")
    for name in types:
        table.add_column(name, justify="right")
    table.add_column("revenue", justify="right")
    days: dict[str, dict[str, int]] = {}
    revenue: dict[str, float] = {}
    for row in insights.events_per_day:
        key = row.day.isoformat()
        days.setdefault(key, {})[row.event_type] = row.events
        revenue[key] = revenue.get(key, 0.0) + row.revenue
    for key in sorted(days):
        counts = days[key]
        table.add_row(key, *(f"{counts.get(n, 0):,}" for n in types), f"{revenue[key]:,.2f}")
    return table
