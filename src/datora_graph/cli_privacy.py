"""`datora erase`: what a privacy officer runs for an erasure request (registered by `cli`).

    datora erase email:ann@acme.io --reason "GDPR request 2026-114"
    datora erase prf_0123 --reason "GDPR request 2026-115" --yes

It shows whom it is about to erase and asks first (`--yes` skips the question, for scripts),
shows progress while it brings the log index up to date (log_index.py: the observations
logged since the last split or erasure), and prints what went as JSON. The erasure
is audited with the actor `cli:<operating-system user>`.

When records of others still mention one of the erased values in an attribute or an event
property, a warning table on stderr names each (kind, ID, fields; never the value) and says
what to do; the JSON has them under `mentions`.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from datora_graph.cli_common import err, open_service, progress_bar, reporting, settings_of
from datora_graph.cli_options import DbOption
from datora_graph.cli_steward import ReasonOption, actor
from datora_graph.domain.mentions import MentionPage
from datora_graph.erasure_service import ErasureService
from datora_graph.log_index import LogIndex


def erase(
    ctx: typer.Context,
    profile: Annotated[
        str, typer.Argument(help="The profile: its ID, an alias, or an identifier type:value")
    ],
    reason: ReasonOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before erasing")] = False,
    db: DbOption = None,
) -> None:
    """Erase a person for good: their profile, identifiers, events and consent, and the
    observations that carried them (redacted where they also carried someone else)."""
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service, reporting():
        found = service.lookup(profile)
        if not yes:
            typer.confirm(
                f"Erase profile {found.id} ({len(found.identifiers)} identifiers, "
                f"{len(found.aliases)} aliases)? This cannot be undone",
                abort=True,
                err=True,
            )
        pending = LogIndex(service.store, service.registry).pending()
        with progress_bar() as bar:
            task = bar.add_task("indexing the observation log", total=pending or None, items=0)
            report = ErasureService(service).erase_profile(
                found.id,
                reason=reason,
                actor=actor(),
                progress=lambda read: bar.update(task, completed=read, items=read),
            )
    typer.echo(
        json.dumps(
            {
                "profile_id": report.profile_id,
                "aliases": list(report.aliases),
                "audit_id": report.audit_id,
                "removed": report.counts.to_dict(),
                "mentions": report.mentions.to_dict(),
            },
            indent=2,
        )
    )
    if report.mentions.total:
        warn_mentions(report.mentions)


def warn_mentions(mentions: MentionPage) -> None:
    """The records of others still mentioning an erased value, on stderr (stdout is JSON)."""
    records = "1 record" if mentions.total == 1 else f"{mentions.total} records"
    err.print(
        f"[bold yellow]Warning:[/] {records} of others still mention an erased value in an "
        "attribute or event property:"
    )
    table = Table()
    table.add_column("Kind")
    table.add_column("ID")
    table.add_column("Fields")
    for mention in mentions.items:
        table.add_row(mention.kind, mention.record_id, ", ".join(mention.fields))
    err.print(table)
    if mentions.total > len(mentions.items):
        err.print(f"... and {mentions.total - len(mentions.items)} more, not listed.")
    err.print(
        "The erasure left these as they were: they are someone else's data, and no command "
        "here edits them. Decide with their owner whether the value may stay, and correct it "
        "in the system that sent it where it may not; the erasure's audit entry records how "
        "many there were."
    )


def register_privacy_commands(app: typer.Typer) -> None:
    app.command("erase")(erase)
