"""`datora access`: answer a person's access request with everything kept about them, as one
JSON document (domain/personal_data.py), for the privacy officer to hand over.

    datora access email:ann@acme.io --reason "GDPR request 2026-114" --out ann.json

The file is made new, readable by its owner only (it holds a person's data), and never
overwrites another: the answer to another person's request may be there. Without `--out` the
document goes to stdout. The request is audited (`access_request`, actor
`cli:<operating-system user>`) before the document is written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from datora_graph.cli_common import err, fail, open_service, reporting, settings_of
from datora_graph.cli_options import DbOption
from datora_graph.cli_privacy import indexing_progress
from datora_graph.cli_steward import ReasonOption, actor
from datora_graph.personal_data_service import PersonalDataService


def access(
    ctx: typer.Context,
    profile: Annotated[
        str, typer.Argument(help="The profile: its ID, an alias, or an identifier type:value")
    ],
    reason: ReasonOption,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write to this new file (owner-only) instead of stdout",
            dir_okay=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Everything kept about a person (profile, identifiers, traits, consent, merges, every
    observation and event, rejected records naming them), as one JSON document."""
    settings = settings_of(ctx, db)
    handle = None
    if out_file is not None:
        try:  # made before the store is read: a taken name costs nothing
            handle = os.fdopen(os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w")
        except FileExistsError:
            fail(f"{out_file} exists: name a new file (the answer never overwrites one)")
        except OSError as exc:
            fail(f"Cannot write {out_file}: {exc.strerror or exc}")
    try:
        with (
            open_service(settings, must_exist=True) as service,
            reporting(),
            indexing_progress(service) as progress,
        ):
            answer = PersonalDataService(service).access(
                profile, reason=reason, actor=actor(), progress=progress
            )
    except BaseException:
        if handle is not None and out_file is not None:
            handle.close()
            out_file.unlink(missing_ok=True)
        raise
    text = json.dumps(answer.document(), indent=2, ensure_ascii=False)
    if handle is None:
        typer.echo(text)
    else:
        with handle:
            handle.write(text + "\n")
    counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in answer.counts().items())
    where = f" to {escape(str(out_file))}" if out_file is not None else ""
    err.print(
        f"Wrote the personal data of profile {answer.profile.id}{where}: {counts}; audit entry "
        f"{answer.audit_id}",
        soft_wrap=True,
    )
