"""The `datora keys` and `datora audit` commands (registered by `cli`).

    datora keys create crm-sync --scope ingest          # prints the token, once
    datora keys list
    datora keys revoke crm-sync
    datora audit --action split --since 2026-11-01 --limit 20

Key changes are audited with the actor `cli:<os user>`. The command helpers (`--db`, settings,
the service, error handling) are `cli`'s, imported when a command runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from datora_graph.access_service import audit_log, cli_actor, create_key, revoke_key
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
from datora_graph.domain.access import SCOPES
from datora_graph.domain.audit import AUDIT_ACTIONS, AuditEntry, AuditFilter
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.mentions import mentions_told
from datora_graph.domain.profiles import MAX_PAGE_SIZE
from datora_graph.domain.records import iso
from datora_graph.store.base import GraphStore

keys_app = typer.Typer(
    no_args_is_help=True,
    help="API keys: every REST and GraphQL call needs one, with the scope its route needs.",
)


def register_access_commands(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
    app.command("audit")(audit)


@contextmanager
def _store(ctx: typer.Context, db: Path | None, must_exist: bool = False) -> Iterator[GraphStore]:
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=must_exist) as service, reporting():
        yield service.store


@keys_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name; the audit log shows it")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", "-s", help=f"Repeat for several: {', '.join(SCOPES)}"),
    ],
    db: DbOption = None,
) -> None:
    """Create a key and print its token to stdout: it is shown this once, never again."""
    with _store(ctx, db) as store:
        try:
            issued = create_key(store, name, scope, actor=cli_actor())
        except InvalidInput as exc:
            if exc.field != "scope":
                raise
            fail(f"--scope: {exc.reason}")
    scopes = ", ".join(sorted(issued.key.scopes))
    err.print(
        Text(
            f"Created API key {name!r} with scopes {scopes}. Store the token now: it is "
            "shown only once. Send it as `Authorization: Bearer <token>`."
        ),
        soft_wrap=True,
    )
    out.print(issued.token, soft_wrap=True)


@keys_app.command("list")
def list_keys(ctx: typer.Context, db: DbOption = None) -> None:
    """Every key with its scopes and state (the tokens are not stored, only their hashes)."""
    with _store(ctx, db, must_exist=True) as store:
        keys = store.list_api_keys()
    if not keys:
        err.print("No API keys yet; create one with `datora keys create NAME --scope read`")
        return
    table = Table("name", "scopes", "token", "created", "revoked")
    for key in keys:
        table.add_row(
            escape(key.name),
            ", ".join(sorted(key.scopes)),
            f"…{escape(key.last4)}",
            _when(key.created_at),
            _when(key.revoked_at) if key.revoked_at else "",
            style="dim" if key.revoked_at else None,
        )
    out.print(table)


@keys_app.command("revoke")
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The key's name")],
    db: DbOption = None,
) -> None:
    """Revoke a key: the next call with it is refused (401)."""
    with _store(ctx, db, must_exist=True) as store:
        key = revoke_key(store, name, actor=cli_actor())
    err.print(Text(f"Revoked API key {key.name!r} at {_when(key.revoked_at)}"))


WIDE_ENOUGH_FOR_A_TABLE = 160
"""Columns a terminal needs for the audit table to show two merged profiles' IDs whole."""


def audit(
    ctx: typer.Context,
    actor: Annotated[
        str | None, typer.Option(help="Only this actor (key name, cli:<user>)")
    ] = None,
    action: Annotated[
        str | None, typer.Option(help=f"Only this action: {', '.join(sorted(AUDIT_ACTIONS))}")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Only entries naming this profile ID before or after")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only entries at or after this ISO time (UTC if no zone)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="At most this many")] = 50,
    after: Annotated[
        str | None, typer.Option(help="Continue after this cursor (printed under a full page)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON lines, every field whole (for scripts)")
    ] = False,
    db: DbOption = None,
) -> None:
    """The audit log, newest first: merges, splits, undos, erasures, key changes, exports."""
    with _store(ctx, db, must_exist=True) as store:
        try:
            page = audit_log(
                store,
                AuditFilter(
                    actor=actor,
                    action=action,
                    profile_id=profile,
                    since=_since(since),
                    first=limit,
                    after=after,
                ),
            )
        except InvalidInput as exc:
            if exc.field == "action":
                fail(f"--action: {exc.reason}")
            if exc.field != "after":
                raise
            fail(f"--after: {exc.reason}; copy it from the line under the previous page")
    if not page.items:
        err.print("No audit entries match.")
        return
    if as_json:
        lines = "".join(json.dumps(_entry_json(e), ensure_ascii=False) + "\n" for e in page.items)
        write_to_stdout(lambda: sys.stdout.write(lines))
    else:
        _print_entries(page.items)
    if page.next_cursor is not None:
        err.print(
            f"More entries are older: the same command with --after {page.next_cursor}",
            soft_wrap=True,
        )


def _entry_json(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "before": list(entry.before),
        "after": list(entry.after),
        "reason": entry.reason,
        "details": dict(entry.details),
    }


def _print_entries(entries: Sequence[AuditEntry]) -> None:
    """A table where the terminal is wide enough for whole IDs; else one block per entry, so
    that no ID is cut or folded (a steward copies them into `datora steward undo`)."""
    if out.width < WIDE_ENOUGH_FOR_A_TABLE:
        for entry in entries:
            lines = [f"[bold]{_when(entry.at)}[/]  {entry.action}  by {escape(entry.actor)}"]
            facts = [
                ("subject", entry.subject),
                ("before", ", ".join(entry.before)),
                ("after", ", ".join(entry.after)),
                ("reason", entry.reason),
                ("mentions", mentions_told(entry.details) or ""),
            ]
            lines += [f"  {name:<10}{escape(value)}" for name, value in facts if value]
            out.print("\n".join(lines), soft_wrap=True)
        return
    table = Table()
    for column in ("at", "actor", "action", "subject", "before → after", "reason"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            _when(entry.at),
            escape(entry.actor),
            entry.action,
            escape(entry.subject),
            escape(_change(entry)),
            escape(_reason(entry)),
        )
    out.print(table)


def _since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        fail(f"--since: {raw!r} is not an ISO time such as 2026-11-01 or 2026-11-01T09:30")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _reason(entry: AuditEntry) -> str:
    """The reason, and for an erasure what its search for mentions left (or that it did not
    count them)."""
    told = mentions_told(entry.details)
    return f"{entry.reason}\nmentions: {told}" if told else entry.reason


def _change(entry: AuditEntry) -> str:
    if not entry.before and not entry.after:
        return ""
    return f"{', '.join(entry.before) or '-'} → {', '.join(entry.after) or '-'}"
