"""`datora erase`: what a privacy officer runs for an erasure request (registered by `cli`).

    datora erase email:ann@acme.io --reason "GDPR request 2026-114"
    datora erase prf_0123 --reason "GDPR request 2026-115" --yes

It shows whom it is about to erase and asks first (`--yes` skips the question, for scripts),
shows progress while it brings the log index up to date (log_index.py: the observations
logged since the last split or erasure), and prints what went as JSON. The erasure
is audited with the actor `cli:<operating-system user>`.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from datora_graph.cli_common import open_service, progress_bar, reporting, settings_of
from datora_graph.cli_options import DbOption
from datora_graph.cli_steward import ReasonOption, actor
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
            },
            indent=2,
        )
    )


def register_privacy_commands(app: typer.Typer) -> None:
    app.command("erase")(erase)
