"""The root `Query`: profiles, segments, insights and the review queue."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import field
from datora_graph.api.graphql.insight_types import Insights
from datora_graph.api.graphql.limits import page_size
from datora_graph.api.graphql.pagination import Connection, connection, id_cursor, position_after
from datora_graph.api.graphql.segment_types import Segment, SegmentPreview, profile_page
from datora_graph.api.graphql.types import Profile, ReviewItem, load_profile
from datora_graph.domain.errors import Forbidden, InvalidInput
from datora_graph.domain.pii import personal_filters
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.domain.segments import Condition, definition_to_json

EVERYONE: dict[str, list[object]] = {"all": []}
"""The definition every person matches: `profiles` without `where`."""


def refuse_personal_filters(info: Info, definition: Condition, argument: str) -> None:
    """Forbidden when a caller who sees personal data masked filters on its values."""
    if info.context.principal.sees_pii:
        return
    shown = info.context.service.settings.event_properties_shown
    parts = personal_filters(definition, shown)
    if parts:
        raise Forbidden(
            f"{argument}: comparing the values of {', '.join(parts)} needs the read:pii scope "
            "(this key sees them masked, and a filter on them would tell them); asking only "
            "whether one exists needs no more than read"
        )


@strawberry.type
class Query:
    @field("A profile by its ID or by an ID it absorbed in a merge.")
    async def profile(self, info: Info, id: strawberry.ID) -> Profile | None:
        return await load_profile(info, str(id))

    @field(
        "The profile holding an identifier, written as the client has it: "
        "`value` is normalised first (`Ann@X.org`, `(415) 555-0101`)."
    )
    async def profile_by_identifier(self, info: Info, type: str, value: str) -> Profile | None:
        service = info.context.service
        try:
            profile = await info.context.read(service.find_profile, type, value)
        except InvalidInput as error:
            # The service names the parts of an `identifier`; here they are two arguments.
            raise InvalidInput(error.field.removeprefix("identifier."), error.reason) from None
        info.context.loaders.profiles.prime(profile.id, profile)
        return Profile.of(profile)

    @field(
        "People (profiles not made only of junk identifiers) in ID order; `where` is a "
        "segment definition, evaluated by the store."
    )
    async def profiles(
        self, info: Info, first: int = 50, after: str | None = None, where: JSON | None = None
    ) -> Connection[Profile]:
        segments = info.context.segments
        definition = segments.parse(EVERYONE if where is None else where, "where")
        refuse_personal_filters(info, definition, "where")
        page = await info.context.read(
            segments.store.segment_members, segments.query(definition), page_size(first), after
        )
        return await profile_page(info, page, after)

    @field("A segment by its ID or its name.")
    async def segment(self, info: Info, id: strawberry.ID) -> Segment | None:
        return Segment.of(await info.context.read(info.context.segments.get_segment, str(id)))

    @field("Every segment, by name; their sizes are evaluated together in one pass.")
    async def segments(self, info: Info) -> list[Segment]:
        return [Segment.of(s) for s in await info.context.loaders.all_segments()]

    @field("What a definition would select, before it is saved: its size and first members.")
    async def preview_segment(
        self, info: Info, definition: JSON, first: int = 10
    ) -> SegmentPreview:
        refuse_personal_filters(info, info.context.segments.parse(definition), "definition")
        preview = await info.context.read(
            info.context.segments.preview, definition, page_size(first)
        )
        return SegmentPreview(
            definition=JSON(definition_to_json(preview.definition)),
            size=preview.size.size,
            share=preview.size.share,
            members=await profile_page(info, preview.members, None),
        )

    @field("The reports: counts, merge rate, cluster sizes, completeness, segments, value.")
    async def insights(self, info: Info, days: int = 30, as_of: datetime | None = None) -> Insights:
        try:
            report = await info.context.read(info.context.segments.insights, as_of, days)
        except InvalidInput as error:
            if error.field != "as_of":  # the service names it as REST does
                raise
            raise InvalidInput("asOf", error.reason) from None
        return Insights.of(report)

    @field(
        "Items waiting for a data steward, in the order they opened; with `profileId` (an ID "
        "or alias), only those about one of that profile's identifiers. `status`: open (the "
        "default), accepted, rejected, answered (by a later record), or null for every item."
    )
    async def review_queue(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        status: str | None = "open",
        profile_id: strawberry.ID | None = None,
    ) -> Connection[ReviewItem]:
        after_seq = position_after("review", after)
        touching = None
        if profile_id is not None:
            profile = await info.context.read(info.context.service.get_profile, str(profile_id))
            touching = tuple(i.identifier.key for i in profile.identifiers)
        query = ReviewFilter(
            status=status, after=after_seq, limit=page_size(first), touching=touching
        )
        page = await info.context.read(info.context.service.store.list_review_items, query)
        return connection(
            page.items,
            ReviewItem.of,
            lambda item: id_cursor("review", item.id),
            page.next_after is not None,
            after is not None,
        )
