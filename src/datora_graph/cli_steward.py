"""The `datora steward` commands: what a data steward scripts (registered by `cli`).

    datora steward review
    datora steward why prf_0123
    datora steward explain email:ann@acme.io device_id:kiosk-7
    datora steward split prf_0123 --group email:ann@acme.io,cookie_id:c-1 \
        --group email:bob@acme.io --reason "shared kiosk"
    datora steward merge prf_0123 prf_4567 --reason "same CRM customer"
    datora steward resolve 12 --accept --reason "checked with the customer"
    datora steward undo dec_1234 --reason "split the wrong profile"

Answers are JSON on stdout, so they pipe into `jq`; errors go to stderr with a non-zero exit.
Every decision is recorded with the actor `cli:<operating-system user>`.
"""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from datora_graph.cli_common import (
    db_hint,
    err,
    fail,
    open_service,
    reporting,
    settings_of,
)
from datora_graph.cli_options import DbOption
from datora_graph.domain.errors import DatoraError
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.domain.records import iso
from datora_graph.domain.steward import Decision
from datora_graph.resolution.explain import EvidenceLink, EvidencePath, SplitProposal
from datora_graph.steward_service import StewardService

steward_app = typer.Typer(
    no_args_is_help=True,
    help="Data stewards: explain merges, split and merge profiles, resolve review items, undo.",
)


class ReviewStatusChoice(StrEnum):
    """The review items `datora steward review` lists."""

    open = "open"
    accepted = "accepted"
    rejected = "rejected"
    answered = "answered"
    """Those the graph answered: a later record joined their two ends by another path."""
    all = "all"


ReasonOption = Annotated[
    str, typer.Option("--reason", help="Why, in your words (kept in the audit log)")
]


def actor() -> str:
    return f"cli:{getpass.getuser()}"


@contextmanager
def _stewards(ctx: typer.Context, db: Path | None) -> Iterator[StewardService]:
    settings = settings_of(ctx, db)
    with open_service(settings, must_exist=True) as service, reporting():
        try:
            yield StewardService(service)
        except DatoraError as exc:
            field, sep, why = str(exc).partition(": ")
            if not sep or cli_name(field) == field:
                raise
            fail(f"{cli_name(field)}: {cli_message(why)}")


def cli_name(field: str) -> str:
    """The command-line name of a part of a steward request, which the service names as
    GraphQL does (`cutEdges[0].a`, `profileId`): `--cut 1 (left)`, `ID`."""
    plain = {
        "profileId": "ID",
        "decisionId": "DECISION",
        "itemId": "ITEM",
        "a": "A",
        "b": "B",
        "reason": "--reason",
    }
    if field in plain:
        return plain[field]
    if found := re.fullmatch(r"groups\[(\d+)\]\[(\d+)\]", field):
        return f"--group {int(found[1]) + 1}, identifier {int(found[2]) + 1}"
    if found := re.fullmatch(r"groups\[(\d+)\]", field):
        return f"--group {int(found[1]) + 1}"
    if found := re.fullmatch(r"cutEdges\[(\d+)\](?:\.(a|b))?", field):
        side = {"a": " (left of |)", "b": " (right of |)"}.get(found[2] or "", "")
        return f"--cut {int(found[1]) + 1}{side}"
    return {"groups": "--group", "cutEdges": "--cut"}.get(field, field)


_NAMED_PART = re.compile(
    r"(?:groups|cutEdges)\[\d+\](?:\[\d+\]|\.[ab])?|\bgroups(?= or cutEdges)|\bcutEdges\b"
)


def cli_message(why: str) -> str:
    """`why` with the parts of the request it quotes (`is also in groups[0]`) named as the
    command line writes them (`--group 1`), like the field the message is about."""
    return _NAMED_PART.sub(lambda found: cli_name(found[0]), why)


def _more(ctx: typer.Context, db: Path | None, command: str, next_after: int | None) -> None:
    """Tell on stderr, so the JSON on stdout stays whole, how to get the next page."""
    if next_after is not None:
        more = f"datora steward {command}{db_hint(ctx, db)} --after {next_after}"
        err.print(f"More: {more}", soft_wrap=True)


def _print(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def link_json(link: EvidenceLink) -> dict[str, Any]:
    return {
        "a": link.a,
        "b": link.b,
        "count": link.count,
        "sources": link.sources,
        "evidence": [
            {
                "source": e.source,
                "count": e.count,
                "first_seen": iso(e.first_seen),
                "last_seen": iso(e.last_seen),
                "kind": e.kind,
                "status": e.status,
            }
            for e in link.evidence
        ],
    }


def path_json(path: EvidencePath) -> dict[str, Any]:
    return {"identifiers": list(path.keys), "links": [link_json(k) for k in path.links]}


def proposal_json(proposal: SplitProposal) -> dict[str, Any]:
    return {
        "kind": proposal.kind,
        "cut": [link_json(k) for k in proposal.links],
        "groups": [list(g) for g in proposal.groups],
    }


def decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "kind": decision.kind,
        "actor": decision.actor,
        "reason": decision.reason,
        "at": iso(decision.at),
        "profiles_before": list(decision.profiles_before),
        "profiles_after": list(decision.profiles_after),
        "undone_by": decision.undone_by,
        "details": dict(decision.details),
    }


@steward_app.command("explain")
def explain(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="type:value")],
    b: Annotated[str, typer.Argument(help="type:value")],
    db: DbOption = None,
) -> None:
    """The evidence paths joining two identifiers, shortest first."""
    with _stewards(ctx, db) as stewards:
        found = stewards.explain(a, b)
        _print(
            {
                "a": found.a,
                "b": found.b,
                "profile_a": found.profile_a,
                "profile_b": found.profile_b,
                "paths": [path_json(p) for p in found.paths],
            }
        )


@steward_app.command("why")
def why(
    ctx: typer.Context,
    profile_id: Annotated[str, typer.Argument(help="A profile ID or alias")],
    a: Annotated[str | None, typer.Option("--a", help="With --b: propose splits")] = None,
    b: Annotated[str | None, typer.Option("--b", help="type:value to separate from --a")] = None,
    db: DbOption = None,
) -> None:
    """A profile's evidence spanning tree; with --a and --b, ways to split them apart."""
    if (a is None) != (b is None):
        given, missing = ("--a", "--b") if b is None else ("--b", "--a")
        raise typer.BadParameter(
            f"{given} needs {missing}: split proposals separate two identifiers",
            param_hint=missing,
        )
    with _stewards(ctx, db) as stewards:
        tree = stewards.why_merged(profile_id)
        answer: dict[str, Any] = {
            "profile_id": tree.profile_id,
            "identifiers": tree.members,
            "tree": [link_json(k) for k in tree.links],
        }
        if a is not None and b is not None:
            proposals = stewards.split_proposals(profile_id, a, b)
            answer["split_proposals"] = [proposal_json(p) for p in proposals]
        _print(answer)


@steward_app.command("split")
def split(
    ctx: typer.Context,
    profile_id: Annotated[str, typer.Argument(help="A profile ID or alias")],
    reason: ReasonOption,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="Comma-separated type:value identifiers; repeat per part"),
    ] = None,
    cut: Annotated[
        list[str] | None,
        typer.Option("--cut", help="An evidence link to cut, as type:value|type:value; repeat"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Split a profile by groups of identifiers or by links to cut."""
    groups = None if not group else [[k.strip() for k in g.split(",") if k.strip()] for g in group]
    cuts = None
    if cut:
        cuts = []
        for text in cut:
            left, sep, right = text.partition("|")
            if not sep:
                raise typer.BadParameter(
                    f"{text!r} is not type:value|type:value", param_hint="--cut"
                )
            cuts.append((left.strip(), right.strip()))
    with _stewards(ctx, db) as stewards:
        decision = stewards.split_profile(profile_id, groups, cuts, reason=reason, actor=actor())
        _print(decision_json(decision))


@steward_app.command("merge")
def merge(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="A profile ID or alias")],
    b: Annotated[str, typer.Argument(help="A profile ID or alias")],
    reason: ReasonOption,
    db: DbOption = None,
) -> None:
    """Merge two profiles now, with a must-link a rebuild keeps."""
    with _stewards(ctx, db) as stewards:
        _print(decision_json(stewards.merge_profiles(a, b, reason=reason, actor=actor())))


@steward_app.command("review")
def review(
    ctx: typer.Context,
    status: Annotated[
        ReviewStatusChoice, typer.Option("--status", help="Which items ('all': every one)")
    ] = ReviewStatusChoice.open,
    first: Annotated[int, typer.Option("--first", min=1, max=1000)] = 100,
    after: Annotated[
        int, typer.Option("--after", min=0, help="Start after this item ID (the last one seen)")
    ] = 0,
    db: DbOption = None,
) -> None:
    """The review queue, in the order items opened; a page at a time (`--after`)."""
    wanted = None if status is ReviewStatusChoice.all else status.value
    with _stewards(ctx, db) as stewards:
        page = stewards.store.list_review_items(
            ReviewFilter(status=wanted, after=after, limit=first)
        )
        _print(
            [
                {
                    "id": item.id,
                    "kind": item.kind,
                    "a": item.a,
                    "b": item.b,
                    "profile_a": item.profile_a,
                    "profile_b": item.profile_b,
                    "reason": item.reason,
                    "status": item.status,
                    "created_at": iso(item.created_at),
                    **({"answered_by": item.answered_by} if item.answered_by else {}),
                }
                for item in page.items
            ]
        )
    _more(ctx, db, f"review --status {status.value} --first {first}", page.next_after)


@steward_app.command("resolve")
def resolve(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="The review item's ID", min=1)],
    reason: ReasonOption,
    accept: Annotated[bool, typer.Option("--accept", help="Merge the two profiles")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Keep them apart (cannot-link)")] = False,
    db: DbOption = None,
) -> None:
    """Accept (merge) or reject (cannot-link) a review item: give one of --accept, --reject."""
    if accept == reject:
        given = "both" if accept else "neither"
        raise typer.BadParameter(
            f"give exactly one of --accept and --reject ({given} given)", param_hint="--accept"
        )
    with _stewards(ctx, db) as stewards:
        decision = stewards.resolve_review_item(item_id, accept, reason=reason, actor=actor())
        _print(decision_json(decision))


@steward_app.command("undo")
def undo(
    ctx: typer.Context,
    decision_id: Annotated[str, typer.Argument(help="dec_…")],
    reason: ReasonOption,
    db: DbOption = None,
) -> None:
    """Restore the state before a decision."""
    with _stewards(ctx, db) as stewards:
        _print(decision_json(stewards.undo_decision(decision_id, reason=reason, actor=actor())))


@steward_app.command("decisions")
def decisions(
    ctx: typer.Context,
    first: Annotated[int, typer.Option("--first", min=1, max=1000)] = 100,
    after: Annotated[int, typer.Option("--after", min=0, help="Log position to start after")] = 0,
    db: DbOption = None,
) -> None:
    """The decision log, oldest first; a page at a time (`--after`)."""
    with _stewards(ctx, db) as stewards:
        page = stewards.decisions(first, after)
        _print([decision_json(d) for d in page.decisions])
    _more(ctx, db, f"decisions --first {first}", page.next_after)
