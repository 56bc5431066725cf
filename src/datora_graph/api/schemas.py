"""The REST API's JSON shapes: thin views over domain objects, documented in OpenAPI.

Request bodies of the ingest endpoints are read by `routes.read_batch` (so one bad item cannot
fail a batch); `ObservationBatchIn` and `EventBatchIn` only document them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from datora_graph.domain.consent import PURPOSE_NAME
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import GoldenProfile, JourneyPage, RejectionPage, StoreStats
from datora_graph.domain.records import Event, EventIn, ObservationIn
from datora_graph.erasure_service import ErasureReport
from datora_graph.redaction_service import RedactionReport
from datora_graph.services import IngestReport


class ErrorDetail(BaseModel):
    code: str = Field(examples=["INVALID_INPUT"])
    message: str = Field(examples=["first: must be between 1 and 1000"])
    field: str | None = Field(default=None, examples=["first"])
    incident: str | None = Field(
        default=None,
        description="Only with INTERNAL (500): the ID the server's log names the failure by",
        examples=["inc_3f2a9c0d1e4b5a6c"],
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx response."""

    error: ErrorDetail


class ObservationBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    observations: list[ObservationIn]


class EventBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[EventIn]


class ConsentIdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(examples=["email"])
    value: str = Field(examples=["ann.lee@acme-mail.com"])


class ConsentStatementIn(BaseModel):
    """Whether `identifier` may be used for `purpose`, as stated by `source` at `at` (default:
    when received)."""

    model_config = ConfigDict(extra="forbid")
    identifier: ConsentIdentifierIn
    purpose: str = Field(
        examples=["email_marketing"], json_schema_extra={"pattern": PURPOSE_NAME.pattern}
    )
    status: Literal["granted", "withdrawn"]
    at: datetime | None = None
    source: str = Field(examples=["preference-centre"])


class ConsentBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    consent: list[ConsentStatementIn]


class ConsentResponse(BaseModel):
    recorded: int


class PersonRequestIn(BaseModel):
    """Which person (a profile ID, an alias, or one identifier `type:value`) and why."""

    model_config = ConfigDict(extra="forbid")
    profile: str = Field(
        min_length=1, examples=["email:ann@acme.io"], json_schema_extra={"pattern": r"\S"}
    )
    reason: str = Field(
        min_length=1, examples=["GDPR request 2026-114"], json_schema_extra={"pattern": r"\S"}
    )


class ErasureIn(PersonRequestIn):
    """Which person to erase (a profile ID, an alias, or one identifier `type:value`) and why."""


class AccessRequestIn(PersonRequestIn):
    """Whose data to hand over (a profile ID, an alias, or one identifier `type:value`) and
    why: the request's reference, kept in the audit log."""


class MentionOut(BaseModel):
    """A record of someone else that still mentions an erased value in `fields` (attribute
    names of an observation, property names of an event); the value itself is not repeated."""

    kind: Literal["observation", "event"]
    id: str
    fields: list[str]


class MentionsOut(BaseModel):
    """Records of others the erasure left as they were, whose free fields still mention one of
    the erased identifier values (README: Erasing a person): for a person to deal with."""

    total: int
    items: list[MentionOut] = Field(description="The first 100, observations then events")


class ErasureOut(BaseModel):
    """What went: the profile, its aliases, the audit entry and the counts; and what others'
    records still mention of the person (`mentions`)."""

    profile_id: str
    aliases: list[str]
    audit_id: str
    removed: dict[str, int]
    mentions: MentionsOut

    @classmethod
    def of(cls, report: ErasureReport) -> ErasureOut:
        return cls(
            profile_id=report.profile_id,
            aliases=list(report.aliases),
            audit_id=report.audit_id,
            removed=report.counts.to_dict(),
            mentions=MentionsOut.model_validate(report.mentions.to_dict()),
        )


class RedactionIn(BaseModel):
    """Which fields to take out of which logged record, and why (README: Redacting a field of
    someone else's record)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["observation", "event"]
    record_id: str = Field(min_length=1, examples=["o9"])
    fields: list[str] = Field(
        examples=[["referrer_email"]],
        description="Top-level attribute (observation) or property (event) names; at least one",
        json_schema_extra={"minItems": 1, "items": {"type": "string", "pattern": r"\S"}},
    )
    reason: str = Field(
        min_length=1, examples=["GDPR request 2026-114"], json_schema_extra={"pattern": r"\S"}
    )


class RedactionOut(BaseModel):
    """What went (by name, never the values), the audit entry, and the profiles whose golden
    attributes were recomputed."""

    kind: Literal["observation", "event"]
    record_id: str
    fields: list[str]
    audit_id: str
    profiles_recomputed: list[str]

    @classmethod
    def of(cls, report: RedactionReport) -> RedactionOut:
        return cls(
            kind=report.kind,
            record_id=report.record_id,
            fields=list(report.fields),
            audit_id=report.audit_id,
            profiles_recomputed=list(report.profiles),
        )


class ItemResultOut(BaseModel):
    """What happened to the item at `index` of the batch; `field` and `reason` say why an item
    was rejected (or, for a duplicate, that nothing changed)."""

    index: int
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    field: str | None = None
    reason: str | None = None


class IngestResponse(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    results: list[ItemResultOut]

    @classmethod
    def from_report(cls, report: IngestReport) -> IngestResponse:
        return cls(
            accepted=report.accepted,
            duplicates=report.duplicates,
            rejected=report.rejected,
            results=[
                ItemResultOut(
                    index=r.index, id=r.id, status=r.status, field=r.field, reason=r.reason
                )
                for r in report.results
            ],
        )


class IdentifierOut(BaseModel):
    type: str = Field(examples=["email"])
    value: str = Field(examples=["ann.lee@acme-mail.com"])

    @classmethod
    def from_domain(cls, identifier: Identifier) -> IdentifierOut:
        return cls(type=identifier.type, value=identifier.value)


class ProfileIdentifierOut(IdentifierOut):
    junk: bool
    first_seen: datetime
    quarantined: bool = False
    """A hub (kiosk, shared device, household contact): kept, shown, linking nothing new."""


class ProfileOut(BaseModel):
    """A golden profile. `id` is its current ID; `aliases` are the IDs of profiles it absorbed,
    which still resolve to it."""

    id: str = Field(examples=["prf_3f2a9c0d1e4b5a6c7d8e"])
    aliases: list[str]
    identifiers: list[ProfileIdentifierOut]
    attributes: dict[str, Any]
    size: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(cls, profile: GoldenProfile) -> ProfileOut:
        return cls(
            id=profile.id,
            aliases=list(profile.aliases),
            identifiers=[
                ProfileIdentifierOut(
                    type=p.identifier.type,
                    value=p.identifier.value,
                    junk=p.junk,
                    first_seen=p.first_seen,
                    quarantined=p.quarantined,
                )
                for p in profile.identifiers
            ],
            attributes=dict(profile.attributes),
            size=profile.size,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
        )


class EventOut(BaseModel):
    id: str
    type: str
    occurred_at: datetime
    source: str
    identifiers: list[IdentifierOut]
    properties: dict[str, Any]

    @classmethod
    def from_domain(cls, event: Event) -> EventOut:
        return cls(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            source=event.source,
            identifiers=[IdentifierOut.from_domain(i) for i in event.identifiers],
            properties=dict(event.properties),
        )


class PageInfo(BaseModel):
    """Pass `end_cursor` back as `after` to get the next page."""

    end_cursor: str | None
    has_next_page: bool


class JourneyOut(BaseModel):
    events: list[EventOut]
    page_info: PageInfo

    @classmethod
    def from_domain(cls, page: JourneyPage) -> JourneyOut:
        return cls(
            events=[EventOut.from_domain(e) for e in page.events],
            page_info=PageInfo(end_cursor=page.end_cursor, has_next_page=page.has_next_page),
        )


class RejectionOut(BaseModel):
    """An item that was not accepted, with the reason and the payload as it was received."""

    seq: int
    kind: Literal["observation", "event"]
    id: str | None
    field: str
    reason: str
    payload: str
    received_at: datetime


class RejectionListOut(BaseModel):
    """Pass `next_after` back as `after` to get the next page; null when there is none."""

    items: list[RejectionOut]
    next_after: int | None

    @classmethod
    def from_domain(cls, page: RejectionPage) -> RejectionListOut:
        return cls(
            items=[
                RejectionOut(
                    seq=seq,
                    kind=r.kind,
                    id=r.item_id,
                    field=r.field,
                    reason=r.reason,
                    payload=r.payload,
                    received_at=r.received_at,
                )
                for seq, r in page.items
            ],
            next_after=page.next_after,
        )


class StatsOut(BaseModel):
    observations: int
    events: int
    rejections: int
    identifiers: int
    profiles: int
    held_links: int
    open_review_items: int
    identifiers_by_type: dict[str, int]

    @classmethod
    def from_domain(cls, stats: StoreStats) -> StatsOut:
        return cls(
            observations=stats.observations,
            events=stats.events,
            rejections=stats.rejections,
            identifiers=stats.identifiers,
            profiles=stats.profiles,
            held_links=stats.held_links,
            open_review_items=stats.open_review_items,
            identifiers_by_type=dict(stats.identifiers_by_type),
        )


class StatusOut(BaseModel):
    status: Literal["ok"] = "ok"


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined, for an operation's `openapi_extra`
    (whose `$ref`s could not point into the model's own `$defs`)."""
    schema = model.model_json_schema()
    defs: Mapping[str, Any] = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
