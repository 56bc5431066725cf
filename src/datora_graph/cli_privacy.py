"""`datora erase` and `datora redact`: what a privacy officer runs for an erasure request,
and to take an erased value out of someone else's record (registered by `cli`).

    datora erase email:ann@acme.io --reason "GDPR request 2026-114"
    datora erase prf_0123 --reason "GDPR request 2026-115" --yes
    datora redact observation o9 --field referrer_email --reason "GDPR request 2026-114"

It shows whom it is about to erase and asks first (`--yes` skips the question, for scripts),
shows progress while it brings the log index up to date (log_index.py: the observations
logged since the last split or erasure), and prints what went as JSON. The erasure
is audited with the actor `cli:<operating-system user>`.

When records of others still mention one of the erased values in an attribute or an event
property, a warning table on stderr names each (kind, ID, fields; never the value) and says
what to do (`datora redact`, with their owner's word); the JSON has them under `mentions`.
`datora redact` asks first too, and prints what it removed as JSON (never the values).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from datora_graph.cli_common import err, open_service, progress_bar, reporting, settings_of
from datora_graph.cli_options import DbOption
from datora_graph.cli_steward import ReasonOption, actor
from datora_graph.domain.mentions import MentionPage
from datora_graph.erasure_service import ErasureService
from datora_graph.log_index import LogIndex, Progress
from datora_graph.redaction_service import RedactionService, described
from datora_graph.services import IdentityService


class RecordKindChoice(StrEnum):
    observation = "observation"
    event = "event"


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
        with indexing_progress(service) as progress:
            report = ErasureService(service).erase_profile(
                found.id, reason=reason, actor=actor(), progress=progress
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


@contextmanager
def indexing_progress(service: IdentityService) -> Iterator[Progress]:
    """A progress bar for bringing the log index up to date (what was logged since the last
    split, erasure or redaction), and the callback that moves it."""
    pending = LogIndex(service.store, service.registry).pending()
    with progress_bar() as bar:
        task = bar.add_task("indexing the observation log", total=pending or None, items=0)
        yield lambda read: bar.update(task, completed=read, items=read)


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
        "The erasure left these as they were: they are someone else's data. Decide with their "
        "owner whether the value may stay; where it may not, take the field out with "
        "`datora redact observation|event ID --field NAME --reason R` (the source cannot send "
        "a corrected copy: ingest keeps the first). The erasure's audit entry records how many "
        "there were."
    )


def redact(
    ctx: typer.Context,
    kind: Annotated[RecordKindChoice, typer.Argument(help="What the record is")],
    record_id: Annotated[str, typer.Argument(help="The record's ID, as its source sent it")],
    field: Annotated[
        list[str],
        typer.Option(
            "--field",
            help="A top-level attribute (observation) or property (event) to take out; repeat "
            "for more",
        ),
    ],
    reason: ReasonOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before redacting")] = False,
    db: DbOption = None,
) -> None:
    """Take named fields out of one logged record of someone (an erased person's value in
    their free field): the golden attributes or traits derived from it follow."""
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service, reporting():
        if not yes:
            typer.confirm(
                f"Remove {', '.join(field)} from {kind.value} {record_id}? This cannot be undone",
                abort=True,
                err=True,
            )
        with indexing_progress(service) as progress:
            report = RedactionService(service).redact(
                kind.value, record_id, field, reason=reason, actor=actor(), progress=progress
            )
    err.print(f"[green]Redacted:[/] {described(report)}", soft_wrap=True)
    typer.echo(
        json.dumps(
            {
                "kind": report.kind,
                "record_id": report.record_id,
                "fields": list(report.fields),
                "audit_id": report.audit_id,
                "profiles_recomputed": list(report.profiles),
            },
            indent=2,
        )
    )


def register_privacy_commands(app: typer.Typer) -> None:
    app.command("erase")(erase)
    app.command("redact")(redact)
