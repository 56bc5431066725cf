"""`datora profile show` and `datora export profiles`: look at one profile, or write every
profile out as JSON lines (registered by `cli`).

    datora profile show email:ann@acme-mail.com --events 20
    datora export profiles --out profiles.jsonl
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from datora_graph.cli_common import err, fail, open_service, out, settings_of, write_to_stdout
from datora_graph.cli_options import DbOption
from datora_graph.domain.profiles import MAX_PAGE_SIZE, GoldenProfile, JourneyQuery
from datora_graph.domain.records import Event, utc
from datora_graph.domain.traits import ProfileTraits
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService

export_app = typer.Typer(no_args_is_help=True, help="Write data out as JSON lines.")
profile_app = typer.Typer(no_args_is_help=True, help="Look at profiles.")


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
