"""REST endpoints: high-volume ingestion, profile and journey reads, and operations.

Handlers that call the (synchronous) service are plain `def`, so FastAPI runs them in its
thread pool; only reading a request body is `async`, because it is streamed and counted.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool

from datora_graph.access_service import record_export
from datora_graph.api.auth import Caller, Principal, for_caller
from datora_graph.api.damage_seen import damage_seen, not_ready
from datora_graph.api.json_body import UniqueKeysRoute
from datora_graph.api.metrics import count_records, metrics_answer
from datora_graph.api.query_params import refuse_stray_query
from datora_graph.api.schemas import (
    AccessRequestIn,
    ConsentBatchIn,
    ConsentResponse,
    ErasureIn,
    ErasureOut,
    ErrorResponse,
    EventBatchIn,
    IngestResponse,
    JourneyOut,
    ObservationBatchIn,
    ProfileOut,
    RedactionIn,
    RedactionOut,
    RejectionListOut,
    StatsOut,
    StatusOut,
    inline_schema,
)
from datora_graph.config import Settings
from datora_graph.domain.errors import InvalidInput, LimitExceeded, StoreUnavailable
from datora_graph.domain.moments import TIME_EXAMPLE, in_calendar, number_text
from datora_graph.domain.pii import mask_journey, mask_profile, mask_rejections
from datora_graph.domain.profiles import MAX_PAGE_SIZE, MAX_POSITION, JourneyQuery, RejectionFilter
from datora_graph.domain.reasons import got
from datora_graph.domain.records import RecordKind
from datora_graph.domain.segments import SegmentContact
from datora_graph.erasure_service import ErasureService
from datora_graph.json_codec import dumps_compact, read_client_json
from datora_graph.personal_data_service import PersonalDataService
from datora_graph.redaction_service import RedactionService
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService


def _iso_only(value: object) -> object:
    """Pydantic reads a number as seconds since 1970 (`as_of=0.5`); a query time here is
    ISO 8601 text, as the README and the OpenAPI document say."""
    if isinstance(value, str) and number_text(value):
        number = value.strip()
        raise ValueError(
            f"must be an ISO 8601 date-time such as {TIME_EXAMPLE}, got the number {number}"
        )
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]

logger = logging.getLogger(__name__)

router = APIRouter(dependencies=[Depends(refuse_stray_query)], route_class=UniqueKeysRoute)
"""The API's routes; a query parameter one does not declare is refused (`query_params.py`)."""
probes = APIRouter()
"""The health probes, which take no input and ignore a query string: a monitor that appends
a cache-buster (`?_=1715...`) must not see a healthy server as down."""

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        404: "No such profile",
        413: "The body or the batch is larger than the configured limit",
        422: "The request is malformed; `error.field` names the part",
        503: "The store is unavailable",
    }.items()
}


def get_service(request: Request) -> IdentityService:
    service: IdentityService | None = getattr(request.app.state, "service", None)
    if service is None:
        raise StoreUnavailable("the store is not open yet; the server is starting or stopping")
    return service


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Service = Annotated[IdentityService, Depends(get_service)]
_segment_service_lock = threading.Lock()


def get_segment_service(request: Request) -> SegmentService:
    """The segment use cases over the app's store, made once per store (`app.state`)."""
    service = get_service(request)
    segments: SegmentService | None = getattr(request.app.state, "segment_service", None)
    if segments is None or segments.store is not service.store:
        with _segment_service_lock:
            segments = getattr(request.app.state, "segment_service", None)
            if segments is None or segments.store is not service.store:
                segments = SegmentService(service.store, service.settings)
                request.app.state.segment_service = segments
    return segments


Segments = Annotated[SegmentService, Depends(get_segment_service)]


def refuse_declared_body(request: Request, limit: int) -> None:
    """LimitExceeded when the body's Content-Length, if the client sent one, exceeds `limit`
    bytes: refused before a byte of it is read."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(
            f"the request body is {int(declared)} bytes, more than the limit of {limit} bytes "
            "(DATORA_MAX_BODY_BYTES); send smaller batches"
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with LimitExceeded as soon as it is known to exceed `limit` bytes:
    from Content-Length when the client sends one, else while counting the streamed bytes."""
    refuse_declared_body(request, limit)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise LimitExceeded(
                f"the request body is larger than the limit of {limit} bytes "
                "(DATORA_MAX_BODY_BYTES); send smaller batches"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def batch_reader(key: str) -> Callable[[Request], Coroutine[Any, Any, list[Any]]]:
    """A dependency returning the items of a body `{key: [...]}`. Items are not validated here:
    the service judges each one, so one bad item is rejected alone instead of failing the batch."""

    async def read_batch(request: Request) -> list[Any]:
        settings = get_settings(request)
        body = await read_body(request, settings.max_body_bytes)
        try:
            document = await run_in_threadpool(read_client_json, body)
        except ValueError as exc:
            raise InvalidInput("body", str(exc)) from None
        if not isinstance(document, dict):
            raise InvalidInput("body", f'must be a JSON object {{"{key}": [...]}}')
        for name in document:
            if name != key:
                unnamed = "" if name else 'a field named "" '
                raise InvalidInput(
                    name or "body",
                    f'{unnamed}is not a known field (the body is {{"{key}": [...]}})',
                )
        if key not in document:
            raise InvalidInput(key, f'is required (the body is {{"{key}": [...]}})')
        items = document[key]
        if not isinstance(items, list):
            raise InvalidInput(key, f"must be a list [...], got {got(items)}")
        if len(items) > settings.max_batch_items:
            raise LimitExceeded(
                f"{key}: {len(items)} items is more than the limit of {settings.max_batch_items} "
                "per request (DATORA_MAX_BATCH_ITEMS); split the batch"
            )
        return items

    return read_batch


def _batch_body(
    model: type[ObservationBatchIn] | type[EventBatchIn] | type[ConsentBatchIn],
) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(model)}},
        }
    }


def _ingest(
    service: IdentityService, kind: RecordKind, items: list[Any], caller: Principal
) -> IngestResponse:
    if kind == "observation":
        report = service.ingest_observations(items, caller.name)
    else:
        report = service.ingest_events(items, caller.name)
    count_records(kind, report)
    return IngestResponse.from_report(report)


@router.post(
    "/v1/observations",
    tags=["ingest"],
    summary="Ingest a batch of observations",
    response_model=IngestResponse,
    responses=_ERRORS,
    openapi_extra=_batch_body(ObservationBatchIn),
)
def post_observations(
    service: Service,
    caller: Caller,
    items: Annotated[list[Any], Depends(batch_reader("observations"))],
) -> IngestResponse:
    """Each observation is resolved into profiles or rejected on its own, with the field and
    the reason; an observation whose `id` was received before is a duplicate and changes
    nothing, so a batch can be resent safely."""
    return _ingest(service, "observation", items, caller)


@router.post(
    "/v1/events",
    tags=["ingest"],
    summary="Ingest a batch of events",
    response_model=IngestResponse,
    responses=_ERRORS,
    openapi_extra=_batch_body(EventBatchIn),
)
def post_events(
    service: Service,
    caller: Caller,
    items: Annotated[list[Any], Depends(batch_reader("events"))],
) -> IngestResponse:
    """Events join the journey of whichever profile holds their identifiers, now or later."""
    return _ingest(service, "event", items, caller)


@router.get(
    "/v1/profiles/{profile_id}",
    tags=["profiles"],
    summary="A profile by ID",
    response_model=ProfileOut,
    responses=_ERRORS,
)
def get_profile(profile_id: str, service: Service, caller: Caller) -> ProfileOut:
    """The ID of a profile that was merged into another still works: the surviving profile is
    returned, with its current `id` and the absorbed ID among its `aliases`."""
    return ProfileOut.from_domain(for_caller(caller, service.get_profile(profile_id), mask_profile))


@router.get(
    "/v1/profiles",
    tags=["profiles"],
    summary="The profile holding an identifier",
    response_model=ProfileOut,
    responses=_ERRORS,
)
def find_profile(
    service: Service,
    caller: Caller,
    identifier: Annotated[
        str,
        Query(
            description="`type:value`, written as the client has it; it is normalised first",
            examples=["email:Ann.Lee@Acme-Mail.com"],
            json_schema_extra={"pattern": "^[^:]+:"},
        ),
    ],
) -> ProfileOut:
    type_name, sep, value = identifier.partition(":")
    if not sep:
        raise InvalidInput("identifier", f"{identifier!r} is not of the form type:value")
    profile = service.find_profile(type_name, value)
    return ProfileOut.from_domain(for_caller(caller, profile, mask_profile))


@router.get(
    "/v1/profiles/{profile_id}/journey",
    tags=["profiles"],
    summary="A profile's events, oldest or newest first",
    response_model=JourneyOut,
    responses=_ERRORS,
)
def get_journey(
    profile_id: str,
    service: Service,
    caller: Caller,
    first: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    after: Annotated[
        str | None,
        Query(
            description="`page_info.end_cursor` of a page",
            json_schema_extra={"minLength": 1},
        ),
    ] = None,
    types: Annotated[str | None, Query(description="Event types, comma-separated")] = None,
    since: Annotated[IsoDateTime | None, Query(description="Events at or after")] = None,
    until: Annotated[IsoDateTime | None, Query(description="Events before")] = None,
    order: Annotated[
        Literal["oldest", "newest"],
        Query(
            description="`oldest` first (ties by event ID) or `newest` first (the reverse): "
            "the latest events are the first page of `newest`. A cursor pages on only in the "
            "order it was issued in"
        ),
    ] = "oldest",
) -> JourneyOut:
    """Every event of every identifier of the profile, in time order (oldest first, or newest
    first with `order=newest`), one page at a time."""
    since_utc = in_calendar("since", since) if since else None
    until_utc = in_calendar("until", until) if until else None
    if since_utc and until_utc and since_utc > until_utc:
        raise InvalidInput("since", "is later than until")
    wanted = frozenset(t.strip() for t in (types or "").split(",") if t.strip())
    query = JourneyQuery(
        first=first,
        after=after,
        types=wanted,
        since=since_utc,
        until=until_utc,
        newest_first=order == "newest",
    )
    return JourneyOut.from_domain(
        for_caller(
            caller,
            service.journey(profile_id, query),
            lambda page: mask_journey(page, service.settings.event_properties_shown),
        )
    )


@router.get(
    "/v1/rejected",
    tags=["ingest"],
    summary="Items that were rejected, with the reason",
    response_model=RejectionListOut,
    responses=_ERRORS,
)
def list_rejected(
    service: Service,
    caller: Caller,
    kind: Annotated[RecordKind | None, Query(description="observation or event")] = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="`next_after` of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> RejectionListOut:
    page = service.rejections(RejectionFilter(kind=kind, after=after, limit=limit))
    return RejectionListOut.from_domain(for_caller(caller, page, mask_rejections))


@router.post(
    "/v1/consent",
    tags=["consent"],
    summary="Record consent statements",
    response_model=ConsentResponse,
    responses=_ERRORS,
    openapi_extra=_batch_body(ConsentBatchIn),
)
def post_consent(
    segments: Segments,
    items: Annotated[list[Any], Depends(batch_reader("consent"))],
) -> ConsentResponse:
    """Each statement grants or withdraws the use of one identifier for one purpose; the
    latest statement by its `at` decides (a withdrawal among statements of the same moment).
    The batch is recorded whole or, when a statement is invalid, not at all (422 naming it)."""
    return ConsentResponse(recorded=segments.record_consent(items))


@router.post(
    "/v1/access-requests",
    tags=["privacy"],
    summary="Answer a person's access request",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "Everything kept about the person, as one JSON document "
            "(README: Answering an access request)",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **_ERRORS,
    },
)
def post_access_request(body: AccessRequestIn, service: Service, caller: Caller) -> Response:
    """Everything the store keeps about the person of the profile named by ID, alias or
    identifier: the profile, its identifiers, traits, consent in force, merges, every
    observation that carried one of its identifiers as logged, every event of its journey, and
    the rejected records that mention one. Audited (`access_request`) with the key's name, the
    reason and the counts handed over. Needs the `admin` scope; 404 when no profile matches,
    422 naming `reason` when it is blank or quotes one of the person's identifiers."""
    answer = PersonalDataService(service).access(
        body.profile, reason=body.reason, actor=caller.name
    )
    return Response(dumps_compact(answer.document()), media_type="application/json")


@router.post(
    "/v1/erasures",
    tags=["privacy"],
    summary="Erase a person",
    response_model=ErasureOut,
    responses=_ERRORS,
)
def post_erasure(body: ErasureIn, service: Service, caller: Caller) -> ErasureOut:
    """Erase the profile named by ID, alias or identifier, with everything that holds its
    identifiers: the profile, its events, consent, evidence and review items; the observation
    log and the steward decisions naming it are redacted so a rebuild does not bring it back.
    Audited with the key's name and the reason. Needs the `admin` scope. `mentions` names the
    records of others whose attributes, event properties or steward decision snapshots still
    mention one of the erased values (by record and field, never the value): they are left for
    a person to deal with (`POST /v1/redactions` takes a field out of an observation or event)."""
    report = ErasureService(service).erase_profile(
        body.profile, reason=body.reason, actor=caller.name
    )
    if warning := report.mentions_warning():
        logger.warning("%s", warning)
    return ErasureOut.of(report)


@router.post(
    "/v1/redactions",
    tags=["privacy"],
    summary="Take fields out of one logged record",
    response_model=RedactionOut,
    responses=_ERRORS,
)
def post_redaction(body: RedactionIn, service: Service, caller: Caller) -> RedactionOut:
    """Remove the named top-level attributes of a logged observation, or properties of a
    stored event (an erased person's value in someone else's free field), with what was
    derived from them: golden attributes are folded again from the log, an event's revenue
    leaves the activity. Audited with the key's name, the reason, the record and the field
    names, never the values. Needs the `admin` scope. 404 for a record that is not kept, 422
    naming the field at fault (`fields[i]`, `reason`)."""
    report = RedactionService(service).redact(
        body.kind, body.record_id, body.fields, reason=body.reason, actor=caller.name
    )
    return RedactionOut.of(report)


_EXPORT_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_EXPORT_CHUNK = 1000


@router.get(
    "/v1/segments/{segment_id}/export",
    tags=["segments"],
    summary="Stream a segment's contact identifiers",
    responses={
        **_ERRORS,
        200: {
            "description": "`profile_id,type,value` rows (CSV with a header, or JSON lines)",
            "content": {media: {} for media in _EXPORT_MEDIA.values()},
        },
    },
)
def export_segment(
    segment_id: str,
    segments: Segments,
    caller: Caller,
    identifier: Annotated[
        Literal["email", "phone"], Query(description="Which contact identifiers")
    ] = "email",
    format: Annotated[Literal["csv", "jsonl"], Query(description="csv or jsonl")] = "csv",
    as_of: Annotated[
        IsoDateTime | None,
        Query(description="Evaluate event windows up to this time (default now)"),
    ] = None,
) -> StreamingResponse:
    """Members' contact identifiers of one type, in profile order; junk values are left out,
    and so is every identifier without consent for the segment's `purpose` (when it has
    one). The rows are one consistent snapshot, streamed as they are read."""
    segment = segments.get_segment(segment_id)
    contacts = segments.export_contacts(segment.id, identifier, as_of=as_of)
    record_export(segments.store, caller.name, segment, identifier, f"api:{format}")
    writer = _csv_chunks if format == "csv" else _jsonl_chunks
    filename = f"{_slug(segment.name)}-{identifier}.{format}"
    return StreamingResponse(
        writer(contacts),
        media_type=_EXPORT_MEDIA[format],
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _csv_chunks(contacts: Iterable[SegmentContact]) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(("profile_id", "type", "value"))
    for rows, contact in enumerate(contacts, start=1):
        out.writerow((contact.profile_id, contact.identifier.type, contact.identifier.value))
        if rows % _EXPORT_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _jsonl_chunks(contacts: Iterable[SegmentContact]) -> Iterator[bytes]:
    lines: list[str] = []
    for contact in contacts:
        row = {
            "profile_id": contact.profile_id,
            "type": contact.identifier.type,
            "value": contact.identifier.value,
        }
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        if len(lines) == _EXPORT_CHUNK:
            yield "".join(lines).encode()
            lines.clear()
    yield "".join(lines).encode()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "segment"


@router.get("/v1/stats", tags=["operations"], response_model=StatsOut, responses=_ERRORS)
def get_stats(service: Service) -> StatsOut:
    """How much the store holds."""
    return StatsOut.from_domain(service.stats())


@probes.get("/healthz", tags=["operations"], response_model=StatusOut)
def healthz() -> StatusOut:
    """The process is up (it may still be unable to serve: see /readyz)."""
    return StatusOut()


@probes.get(
    "/metrics",
    tags=["operations"],
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Counts and timings of requests by route, and of records ingested by outcome, in
    Prometheus's text format (every worker's, under `datora serve --workers N`), and the
    store's counts (profiles, identifiers by type, held links, open review items)."""
    return metrics_answer(request.app.state.store_counts)


@probes.get("/readyz", tags=["operations"], response_model=StatusOut, responses=_ERRORS)
def readyz(service: Service) -> StatusOut:
    """The store answers, no request found its file damaged and no rebuild is in progress;
    503 with the reason otherwise."""
    if (seen := damage_seen(service.settings.db)) is not None:
        raise not_ready(seen)
    service.store.ping()
    if service.store.rebuild_in_progress():
        raise StoreUnavailable(
            "a rebuild of the identity graph is in progress; profiles are incomplete until it ends"
        )
    return StatusOut()
