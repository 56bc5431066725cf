"""Consent: whether a contact point (an identifier) may be used for a purpose.

Consent is recorded per identifier and purpose, as statements: granted or withdrawn, when, by
which source. The **latest statement by its time wins**, whatever order statements arrive in;
between two statements of the same moment a withdrawal wins, because using a contact point
without consent is the costly mistake; and between two of the same moment and status, the
source first in alphabetical order, only so that every store, every arrival order, a rebuild
and a migration name the same source. Every statement is kept for the record.

Consent belongs to the identifier, not the profile: `ann@work.com` may receive the newsletter
while `ann@home.com` may not, even once both are one person. A segment export therefore
checks each contact identifier, and a segment's consent condition asks whether a profile has
at least one identifier with consent for the purpose.

Wire format (REST `POST /v1/consent`, GraphQL, CLI):

    {"identifier": {"type": "email", "value": "ann@acme-mail.com"}, "purpose": "email_marketing",
     "status": "granted", "at": "2026-05-01T10:00:00Z", "source": "preference-centre"}

`at` defaults to the time the statement is received.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from datora_graph.domain.errors import InvalidInput, json_kind
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry
from datora_graph.domain.moments import not_after, time_text, utc
from datora_graph.domain.reasons import got

ConsentStatus = Literal["granted", "withdrawn"]
CONSENT_STATUSES: tuple[ConsentStatus, ...] = ("granted", "withdrawn")
PURPOSE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")
_SOURCE_MAX = 100
_FIELDS = frozenset({"identifier", "purpose", "status", "at", "source"})


@dataclass(frozen=True, slots=True)
class ConsentStatement:
    """A source stated at `stated_at` that `identifier` may (granted) or may no longer
    (withdrawn) be used for `purpose`."""

    identifier: Identifier
    purpose: str
    status: ConsentStatus
    stated_at: datetime
    source: str

    @property
    def granted(self) -> bool:
        return self.status == "granted"

    def supersedes(self, other: ConsentStatement) -> bool:
        """Whether this statement decides the consent over `other` (same identifier and
        purpose): it is later; or as late and a withdrawal; or as late, of the same status and
        from a source earlier in code-point order (a total order, so the deciding statement
        never depends on which arrived first)."""
        if self.stated_at != other.stated_at:
            return self.stated_at > other.stated_at
        if self.status != other.status:
            return self.status == "withdrawn"
        return self.source < other.source


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The consent in force for one identifier and purpose: its deciding statement."""

    identifier: Identifier
    purpose: str
    status: ConsentStatus
    stated_at: datetime
    source: str

    @property
    def granted(self) -> bool:
        return self.status == "granted"


def current_consent(
    statements: Iterable[ConsentStatement],
) -> dict[tuple[str, str], ConsentState]:
    """The consent in force per (identifier key, purpose): the reference rule stores follow."""
    deciding: dict[tuple[str, str], ConsentStatement] = {}
    for statement in statements:
        slot = (statement.identifier.key, statement.purpose)
        known = deciding.get(slot)
        if known is None or statement.supersedes(known):
            deciding[slot] = statement
    return {
        slot: ConsentState(s.identifier, s.purpose, s.status, s.stated_at, s.source)
        for slot, s in deciding.items()
    }


def parse_purpose(raw: object, field: str = "purpose") -> str:
    if not isinstance(raw, str):
        raise InvalidInput(field, f"must be a string, got {json_kind(raw)}")
    if not PURPOSE_NAME.match(raw):
        raise InvalidInput(
            field,
            f"{raw!r} is not a purpose name (1-64 lower-case letters, digits, '_', '.', '-', "
            "e.g. email_marketing)",
        )
    return raw


def parse_consent(
    raw: object,
    registry: IdentifierRegistry,
    received_at: datetime,
    field: str = "",
    *,
    latest: datetime | None = None,
) -> ConsentStatement:
    """One wire statement, validated; raises InvalidInput naming the bad part under `field`.
    `latest`, when given, is the latest `at` taken (None when replaying the log)."""
    prefix = f"{field}." if field else ""
    if not isinstance(raw, Mapping):
        raise InvalidInput(field, f"must be a JSON object, got {json_kind(raw)}")
    for name in raw:
        if name not in _FIELDS:
            raise InvalidInput(f"{prefix}{name}", "is not a known field")
    for name in ("identifier", "purpose", "status", "source"):
        if name not in raw:
            raise InvalidInput(f"{prefix}{name}", "is required")
    identifier = _identifier(raw["identifier"], registry, f"{prefix}identifier")
    status = raw["status"]
    if status not in CONSENT_STATUSES:
        raise InvalidInput(f"{prefix}status", f"{status!r} is not 'granted' or 'withdrawn'")
    source = raw["source"]
    if not isinstance(source, str) or not source.strip() or len(source) > _SOURCE_MAX:
        raise InvalidInput(
            f"{prefix}source", f"must be a non-blank string of at most {_SOURCE_MAX}"
        )
    return ConsentStatement(
        identifier=identifier,
        purpose=parse_purpose(raw["purpose"], f"{prefix}purpose"),
        status=status,
        stated_at=not_after(
            f"{prefix}at", _moment(raw.get("at"), received_at, f"{prefix}at"), latest
        ),
        source=source.strip(),
    )


def _identifier(raw: Any, registry: IdentifierRegistry, field: str) -> Identifier:
    if not isinstance(raw, Mapping) or set(raw) != {"type", "value"}:
        raise InvalidInput(field, 'must be {"type": ..., "value": ...}')
    return registry.parse_with_junk(raw["type"], raw["value"], field=field).identifier


def _moment(raw: object, default: datetime, field: str) -> datetime:
    if raw is None:
        return utc(default)
    if isinstance(raw, datetime):
        return utc(raw)
    try:
        text = time_text(raw)
    except ValueError as problem:
        raise InvalidInput(field, str(problem)) from None
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        raise InvalidInput(field, f"{raw!r} is not an ISO 8601 timestamp") from None


def parse_observation_consent(
    raw: object,
    identifiers: Iterable[Identifier],
    source: str,
    observed_at: datetime,
    registry: IdentifierRegistry,
    field: str = "consent",
    *,
    latest: datetime | None = None,
) -> list[ConsentStatement]:
    """The optional `consent` list of an observation: statements whose `source` and `at`
    default to the observation's, and whose `identifier`, when left out, is every identifier
    the observation carries:

        "consent": [{"purpose": "email_marketing", "status": "granted",
                     "identifier": {"type": "email", "value": "ann@acme-mail.com"}}]
    """
    if not isinstance(raw, list):
        raise InvalidInput(field, f"must be a list [...], got {got(raw)}")
    carried = list(identifiers)
    statements: list[ConsentStatement] = []
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidInput(where, f"must be a JSON object, got {json_kind(item)}")
        full = {"source": source, **item}
        targets = (
            [item["identifier"]]
            if "identifier" in item
            else [{"type": i.type, "value": i.value} for i in carried]
        )
        for target in targets:
            statements.append(
                parse_consent(
                    {**full, "identifier": target}, registry, observed_at, where, latest=latest
                )
            )
    return statements
