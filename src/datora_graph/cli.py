"""The `datora` command: serve the API, ingest files, rebuild, look at profiles, make demo data.

    datora demo --db data/demo.db
    datora ingest observations crm.csv --db data/demo.db
    datora profile show email:ann@acme-mail.com --db data/demo.db
    datora serve --db data/demo.db

`--db` is accepted before the command (`datora --db x.db stats`) or after it; without it the
database is `DATORA_DB`, else `datora.db`. Results go to stdout; progress and errors to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
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
from datora_graph.cli_keys import register_access_commands
from datora_graph.cli_migrate import migrate
from datora_graph.cli_options import DbOption
from datora_graph.cli_privacy import register_privacy_commands
from datora_graph.cli_segments import consent_app, report, segment_app
from datora_graph.cli_serve import (
    TAKEN_PORT_HINT,
    listen_problem,
    prepare_for_workers,
    serve_workers,
)
from datora_graph.cli_steward import steward_app
from datora_graph.config import Settings
from datora_graph.domain.errors import RebuildWouldReject
from datora_graph.domain.profiles import (
    MAX_PAGE_SIZE,
    MAX_POSITION,
    GoldenProfile,
    JourneyQuery,
    RejectionFilter,
)
from datora_graph.domain.records import Event, RecordKind, utc
from datora_graph.domain.traits import ProfileTraits
from datora_graph.ingest_files import FileFormat, RecordFile, UnreadableFile, open_record_file
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService, IngestReport

app = typer.Typer(
    name="datora",
    help="Datora Graph: identity resolution. Observations in, golden profiles out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
ingest_app = typer.Typer(
    no_args_is_help=True,
    help="Send observations or events from a JSONL or CSV file (UTF-8, header row). CSV "
    "observations need the columns id, source, observed_at; events id, type, occurred_at, "
    "source. A column named after an identifier type (email, phone, crm_id, ..., or email_2) "
    "holds an identifier; every other column is an attribute (observations) or a property "
    "(events). Empty cells are left out.",
)
export_app = typer.Typer(no_args_is_help=True, help="Write data out as JSON lines.")
profile_app = typer.Typer(no_args_is_help=True, help="Look at profiles.")
app.add_typer(ingest_app, name="ingest")
app.add_typer(export_app, name="export")
app.add_typer(profile_app, name="profile")
app.add_typer(segment_app, name="segment")
app.add_typer(consent_app, name="consent")
app.add_typer(steward_app, name="steward")
register_access_commands(app)
register_privacy_commands(app)
app.command()(report)
app.command()(migrate)

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


@app.callback()
def main(ctx: typer.Context, db: DbOption = None) -> None:
    """Datora Graph: identity resolution. Observations in, golden profiles out."""
    ctx.obj = db


def _ingest_with_progress(
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


# -- serve ------------------------------------------------------------------------------------
def _store_name(settings: Settings) -> str:
    if settings.store == "neo4j":
        return f"Neo4j at {settings.neo4j_uri} (database {settings.neo4j_database})"
    return str(settings.db)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="[default: $DATORA_HOST, else 127.0.0.1]", show_default=False)
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="[default: $DATORA_PORT, else 8000]", show_default=False)
    ] = None,
    db: DbOption = None,
    dev: Annotated[
        bool, typer.Option("--dev", help="Development mode: NO authentication (see README)")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes, e.g. one per core [default: $DATORA_WORKERS, else 1]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the REST API (interactive docs at /docs); every call needs an API key."""
    import uvicorn

    from datora_graph.api import create_app

    settings = settings_of(ctx, db)
    if dev:
        settings = settings.model_copy(update={"auth_dev_mode": True})
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    _check_can_listen(host, port)
    _announce_access(settings)
    with open_service(settings) as service:
        processes = f", {workers} processes" if workers > 1 else ""
        err.print(
            f"Datora Graph serving {escape(_store_name(settings))} on http://{host}:{port}"
            f"{processes} (API docs: http://{host}:{port}/docs)",
            soft_wrap=True,
        )
        if workers == 1:
            uvicorn.run(
                create_app(settings, service),
                host=host,
                port=port,
                access_log=settings.access_log,
                timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            )
            return
        prepare_for_workers(service)
    serve_workers(settings, host, port, workers)


def _check_can_listen(host: str, port: int) -> None:
    problem = listen_problem(host, port)
    if problem is not None:
        fail(f"{problem}. {TAKEN_PORT_HINT} with --port or DATORA_PORT.")


def _announce_access(settings: Settings) -> None:
    from datora_graph.api.auth import DEV_MODE_WARNING

    if settings.auth_dev_mode:
        err.print(Panel(Text(DEV_MODE_WARNING), title="WARNING", style="bold red"))
    else:
        err.print(
            "Every call needs an API key; create one with `datora keys create NAME --scope read`"
        )


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
            report = _ingest_with_progress(service, kind, records, f"Ingesting {file.name}")
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
    _print_ingest_report(report, f"{kind}s from {file}", records, db_hint(ctx, db))


def _print_ingest_report(
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


# -- export -----------------------------------------------------------------------------------
@export_app.command("profiles")
def export_profiles(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here instead of stdout", dir_okay=False),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every profile as one JSON line: {"id", "identifiers": [{"type", "value"}], "attributes"}."""
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service:
        if out_file is None:
            write_to_stdout(lambda: _write_profiles(service.export_profiles(), sys.stdout))
            return
        try:
            handle = out_file.open("w", encoding="utf-8")
        except OSError as exc:
            fail(f"Cannot write {out_file}: {exc.strerror or exc}")
        with handle:
            count = _write_profiles(service.export_profiles(), handle)
    err.print(f"Wrote {count:,} profiles to {escape(str(out_file))}")


def _write_profiles(profiles: Iterator[GoldenProfile], handle: IO[str]) -> int:
    count = 0
    for profile in profiles:
        line = {
            "id": profile.id,
            "identifiers": [
                {"type": p.identifier.type, "value": p.identifier.value}
                for p in profile.identifiers
            ],
            "attributes": dict(profile.attributes),
        }
        handle.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        count += 1
    return count


# -- resolve ----------------------------------------------------------------------------------
@app.command()
def resolve(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Forget the graph and replay the observation log")
    ] = False,
    allow_rejections: Annotated[
        bool,
        typer.Option(
            "--allow-rejections",
            help="Rebuild even if the current settings reject logged observations the graph "
            "holds now (they are kept in the log and listed by `datora rejected`)",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Rebuild every profile from the observation log, e.g. after changing identifier types,
    junk lists or survivorship settings. It first checks the whole log under the current
    settings and stops, changing nothing, if that would reject records the graph holds."""
    if not rebuild:
        fail("Nothing to do: pass --rebuild to replay the observation log", code=2)
    settings = settings_of(ctx, db)
    with (
        open_service(settings, must_exist=True, upgrade=False) as service,
        progress_bar() as bar,
    ):
        total = service.stats().observations
        check = None if allow_rejections else bar.add_task("Checking the log", total=total, items=0)
        task = bar.add_task("Replaying the log", total=total, items=0)
        try:
            report = service.rebuild(
                progress=lambda n: bar.update(task, advance=n),
                allow_rejections=allow_rejections,
                checked=None if check is None else lambda n: bar.update(check, advance=n),
            )
        except RebuildWouldReject as refusal:
            fail(f"{refusal}\nTo rebuild anyway, run it again with --allow-rejections.")
    out.print(Text("Rebuilt the identity graph", style="bold"))
    table = Table()
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("observations replayed", f"{report.observations:,}")
    table.add_row("profiles", f"{report.profiles:,}")
    table.add_row("rejected on replay", f"{report.rejected:,}")
    table.add_row("steward decisions applied again", f"{report.decisions_reapplied:,}")
    out.print(table)
    for skipped in report.decisions_skipped:
        out.print(f"[yellow]steward decision not applied again:[/] {escape(skipped)}")


# -- profile show -----------------------------------------------------------------------------
@profile_app.command("show")
def profile_show(
    ctx: typer.Context,
    reference: Annotated[
        str,
        typer.Argument(metavar="ID|TYPE:VALUE", help="prf_… or e.g. email:ann@acme-mail.com"),
    ],
    events: Annotated[int, typer.Option(min=0, help="How many of the latest events")] = 10,
    db: DbOption = None,
) -> None:
    """A profile's attributes, identifiers, aliases, traits and latest events."""
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service:
        profile = service.lookup(reference)
        latest = _latest_events(service, profile.id, events)
        traits = SegmentService(service.store, settings).traits_of([profile.id]).get(profile.id)
    out.print(_profile_panel(profile, latest, traits))


def _when(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%d %H:%M:%S")


def _latest_events(service: IdentityService, profile_id: str, count: int) -> list[Event]:
    """The last `count` events, oldest of them first: newest-first pages turned round (one
    page, unless `count` is over a page's limit), rather than every page of a journey that
    may hold a kiosk's or a bot's 100,000 events."""
    latest: list[Event] = []
    after: str | None = None
    while len(latest) < count:
        first = min(count - len(latest), MAX_PAGE_SIZE)
        query = JourneyQuery(first=first, after=after, newest_first=True)
        page = service.journey(profile_id, query)
        latest.extend(page.events)
        if not page.has_next_page:
            break
        after = page.end_cursor
    return latest[::-1]


def _traits_table(traits: ProfileTraits | None) -> Table:
    """The computed traits as of now; a profile with no events has none to speak of."""
    table = Table(title="Traits", title_justify="left", show_header=False)
    table.add_column("name")
    table.add_column("value", overflow="fold")
    if traits is None or traits.event_count == 0:
        table.add_row("events", "none yet")
        return table
    money = f"{{:,.2f}} {traits.currency}"
    average = traits.average_order_value
    rows = {
        "events": f"{traits.event_count:,} ("
        + ", ".join(f"{t} {n:,}" for t, n in sorted(traits.events_by_type.items()))
        + ")",
        "first / last seen": f"{_when(traits.first_seen)} / {_when(traits.last_seen)}",
        "recency": f"{traits.recency_days:,} days",
        "orders": f"{traits.order_count:,}",
        "total revenue": money.format(traits.total_revenue),
        "average order value": "—" if average is None else money.format(average),
        "lifetime value": money.format(traits.customer_lifetime_value),
        "engagement score": f"{traits.engagement_score:,g}",
        "data quality": f"{traits.data_quality:.0%}",
    }
    for name, value in rows.items():
        table.add_row(name, value)
    return table


def _profile_panel(
    profile: GoldenProfile, events: list[Event], traits: ProfileTraits | None
) -> Panel:
    attributes = Table(title="Attributes", title_justify="left", show_header=False)
    attributes.add_column("name")
    attributes.add_column("value", overflow="fold")
    for name, value in profile.attributes.items():
        attributes.add_row(name, value if isinstance(value, str) else json.dumps(value))
    identifiers = Table(title="Identifiers", title_justify="left")
    for column in ("type", "value", "first seen", "junk"):
        identifiers.add_column(column, overflow="fold")
    for item in profile.identifiers:
        identifiers.add_row(
            item.identifier.type,
            item.identifier.value,
            _when(item.first_seen),
            "junk" if item.junk else "",
        )
    journey = Table(title=f"Latest events ({len(events)})", title_justify="left")
    for column in ("occurred at", "type", "source", "id"):
        journey.add_column(column, overflow="fold")
    for event in events:
        journey.add_row(_when(event.occurred_at), event.type, event.source, event.id)
    aliases = ", ".join(profile.aliases) or "none"
    summary = Text(
        f"{profile.size} identifiers · created {_when(profile.created_at)} · "
        f"updated {_when(profile.updated_at)}\naliases: {aliases}"
    )
    parts = Group(summary, attributes, identifiers, _traits_table(traits), journey)
    return Panel(parts, title=f"Profile {profile.id}")


# -- rejected, stats --------------------------------------------------------------------------
@app.command()
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


@app.command()
def stats(ctx: typer.Context, db: DbOption = None) -> None:
    """How much the store holds."""
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service:
        numbers = service.stats()
    out.print(Text(f"Datora Graph store {settings.db}", style="bold"), soft_wrap=True)
    table = Table()
    table.add_column("")
    table.add_column("count", justify="right")
    for name in ("observations", "events", "rejections", "identifiers", "profiles"):
        table.add_row(name, f"{getattr(numbers, name):,}")
    table.add_row("held links", f"{numbers.held_links:,}")
    table.add_row("open review items", f"{numbers.open_review_items:,}")
    for type_name, count in sorted(numbers.identifiers_by_type.items()):
        table.add_row(f"  {type_name} identifiers", f"{count:,}")
    out.print(table)


# -- demo -------------------------------------------------------------------------------------
@app.command()
def demo(
    ctx: typer.Context,
    people: Annotated[int, typer.Option(min=1, help="How many synthetic people")] = 500,
    seed: Annotated[int, typer.Option(help="Same seed, same data set")] = 7,
    keep_dates: Annotated[
        bool,
        typer.Option(
            "--keep-dates",
            help="Keep the generator's own calendar (2024-2026) instead of moving the data "
            "set to end today",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Generate a synthetic data set (people seen through web, app, CRM, shop, call centre)
    and ingest it, then name a few profiles to look at. The data set ends today, so recent
    windows ("bought within 30 days") find people; --keep-dates keeps its own dates."""
    from datora_graph.demo.generator import ending_by, generate

    settings = settings_of(ctx, db)
    data = generate(people, seed)
    if not keep_dates:
        data = ending_by(data, datetime.now(UTC))
    with open_service(settings) as service:
        observations = _ingest_with_progress(
            service, "observation", data.observations, "Ingesting observations"
        )
        events = _ingest_with_progress(service, "event", data.events, "Ingesting events")
        examples = _example_profiles(service, 3)
    db_part = db_hint(ctx, db)
    _print_ingest_report(observations, "demo observations", None, db_part)
    _print_ingest_report(events, "demo events", None, db_part)
    out.print("Profiles to look at (over HTTP with a key of `datora keys create`):")
    for profile in examples:
        out.print(
            Text(
                f"  datora profile show {profile.id}{db_part}\n"
                f'  curl -H "Authorization: Bearer $DATORA_KEY" '
                f"http://{settings.host}:{settings.port}/v1/profiles/{profile.id}"
            ),
            soft_wrap=True,
        )


def _example_profiles(service: IdentityService, count: int) -> list[GoldenProfile]:
    """Profiles worth showing: real people (not junk) seen through several identifiers."""
    found: list[GoldenProfile] = []
    fallback: list[GoldenProfile] = []
    for profile in service.export_profiles():
        if profile.junk:
            continue
        if profile.size >= 3:
            found.append(profile)
            if len(found) == count:
                break
        elif len(fallback) < count:
            fallback.append(profile)
    return (found + fallback)[:count]
