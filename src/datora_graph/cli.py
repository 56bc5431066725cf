"""The `datora` command: serve the API, ingest files, rebuild, look at profiles, make demo data.

    datora demo --db data/demo.db
    datora ingest observations crm.csv --db data/demo.db
    datora profile show email:ann@acme-mail.com --db data/demo.db
    datora serve --db data/demo.db

`--db` is accepted before the command (`datora --db x.db stats`) or after it; without it the
database is `DATORA_DB`, else `datora.db`. Results go to stdout; progress and errors to stderr.

This module makes the app and registers the command groups of the `cli_*` modules beside it;
the commands about the whole store (resolve, stats, demo) are here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from datora_graph.cli_access import access
from datora_graph.cli_backup import backup, check
from datora_graph.cli_common import db_hint, fail, open_service, out, progress_bar, settings_of
from datora_graph.cli_help import one_line_summaries
from datora_graph.cli_ingest import ingest_app, ingest_with_progress, print_ingest_report, rejected
from datora_graph.cli_keys import register_access_commands
from datora_graph.cli_migrate import migrate
from datora_graph.cli_options import DbOption
from datora_graph.cli_privacy import register_privacy_commands
from datora_graph.cli_profiles import export_app, profile_app
from datora_graph.cli_segments import consent_app, report, segment_app
from datora_graph.cli_serve import serve
from datora_graph.cli_steward import steward_app
from datora_graph.domain.errors import RebuildWouldReject
from datora_graph.domain.profiles import GoldenProfile
from datora_graph.services import IdentityService

app = typer.Typer(
    name="datora",
    help="Datora Graph: identity resolution. Observations in, golden profiles out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(ingest_app, name="ingest")
app.add_typer(export_app, name="export")
app.add_typer(profile_app, name="profile")
app.add_typer(segment_app, name="segment")
app.add_typer(consent_app, name="consent")
app.add_typer(steward_app, name="steward")
register_access_commands(app)
app.command("access")(access)
register_privacy_commands(app)
app.command()(backup)
app.command()(check)
app.command()(report)
app.command()(migrate)
app.command()(serve)


@app.callback()
def main(ctx: typer.Context, db: DbOption = None) -> None:
    """Datora Graph: identity resolution. Observations in, golden profiles out."""
    ctx.obj = db


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
    if report.records_rekeyed:
        table.add_row("keys of stored events and consent changed", f"{report.records_rekeyed:,}")
    out.print(table)
    for skipped in report.decisions_skipped:
        out.print(f"[yellow]steward decision not applied again:[/] {escape(skipped)}")


# -- rejected, stats --------------------------------------------------------------------------
app.command()(rejected)


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
        observations = ingest_with_progress(
            service, "observation", data.observations, "Ingesting observations"
        )
        events = ingest_with_progress(service, "event", data.events, "Ingesting events")
        examples = _example_profiles(service, 3)
    db_part = db_hint(ctx, db)
    print_ingest_report(observations, "demo observations", None, db_part)
    print_ingest_report(events, "demo events", None, db_part)
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


one_line_summaries(app)
