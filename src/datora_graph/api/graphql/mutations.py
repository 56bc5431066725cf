"""The root `Mutation`: ingest, segment definitions and consent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.scalars import JSON

from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import mutation
from datora_graph.api.graphql.segment_types import ConsentReport, Segment
from datora_graph.api.graphql.types import IngestReport
from datora_graph.api.metrics import count_records
from datora_graph.domain.errors import LimitExceeded


def _batch(items: Sequence[JSON], argument: str, info: Info) -> list[object]:
    limit = info.context.service.settings.max_batch_items
    if len(items) > limit:
        raise LimitExceeded(
            f"{argument}: {len(items)} items is more than the limit of {limit} per request "
            "(DATORA_MAX_BATCH_ITEMS); split the batch"
        )
    return list(items)


@strawberry.type
class Mutation:
    """Every mutation answers a nullable type (here and in `StewardMutation`,
    `PrivacyMutation`): one that fails is null with its error, and the others of the same
    operation, which ran and may have committed, keep their results. A non-null root field
    that fails nulls the whole `data`, reporting as not run what ran."""

    @mutation(
        "Resolve a batch of observations into profiles. Each item is accepted, a "
        "duplicate (its `id` was seen before; nothing changes) or rejected with the field and "
        "the reason, on its own: one bad item never fails the batch."
    )
    async def ingest_observations(
        self, info: Info, observations: list[JSON]
    ) -> IngestReport | None:
        items = _batch(observations, "observations", info)
        service = info.context.service
        ingest = service.ingest_observations
        report = await info.context.read(ingest, items, info.context.actor)
        count_records("observation", report)
        return IngestReport.of(report)

    @mutation(
        "Add a batch of events to the journeys of the profiles holding their "
        "identifiers, now or once they are linked. Per-item results as for observations."
    )
    async def ingest_events(self, info: Info, events: list[JSON]) -> IngestReport | None:
        items = _batch(events, "events", info)
        service = info.context.service
        ingest = service.ingest_events
        report = await info.context.read(ingest, items, info.context.actor)
        count_records("event", report)
        return IngestReport.of(report)

    @mutation(
        "Save a segment. `definition` is a filter in the segment language; an invalid one is "
        "refused naming its bad part (`definition.all[1].event.within_days`). `purpose` is the "
        "consent purpose its export is for."
    )
    async def define_segment(
        self,
        info: Info,
        name: str,
        definition: JSON,
        description: str = "",
        purpose: str | None = None,
    ) -> Segment | None:
        segments = info.context.segments
        return Segment.of(
            await info.context.read(segments.define_segment, name, definition, description, purpose)
        )

    @mutation("Change what is given of a segment; `purpose: null` removes its purpose.")
    async def update_segment(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        definition: JSON | None = None,
        description: str | None = None,
        purpose: str | None = strawberry.UNSET,
    ) -> Segment | None:
        changes: dict[str, Any] = {
            "name": name,
            "definition": definition,
            "description": description,
        }
        if purpose is not strawberry.UNSET:
            changes["purpose"] = purpose
        segments = info.context.segments
        return Segment.of(await info.context.read(segments.update_segment, str(id), **changes))

    @mutation("Delete a segment, by its ID or its name; answers its ID.")
    async def delete_segment(self, info: Info, id: strawberry.ID) -> strawberry.ID | None:
        deleted = await info.context.read(info.context.segments.delete_segment, str(id))
        return strawberry.ID(deleted)

    @mutation(
        "Record consent statements, each `{identifier: {type, value}, purpose, status, at, "
        "source}`; the latest statement by `at` decides. The batch is recorded whole, or not "
        "at all when one is invalid (the error names it)."
    )
    async def record_consent(self, info: Info, statements: list[JSON]) -> ConsentReport | None:
        segments = info.context.segments
        recorded = await info.context.read(segments.record_consent, list(statements), "statements")
        return ConsentReport(recorded=recorded)
