"""GraphQL views of segments, computed traits and consent (`segment_service.py`).

A segment's size and share come through a DataLoader, so a list of every segment with its size
is one evaluation pass in the store, however many segments there are.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import field
from datora_graph.api.graphql.limits import page_size
from datora_graph.api.graphql.pagination import Connection, connection, member_cursor
from datora_graph.api.graphql.types import Identifier, Profile
from datora_graph.domain import consent as domain_consent
from datora_graph.domain import segments as domain
from datora_graph.domain import traits as domain_traits
from datora_graph.domain.profiles import GoldenProfile
from datora_graph.domain.segments import MemberPage, definition_to_json


async def profile_page(info: Info, page: MemberPage, after: str | None) -> Connection[Profile]:
    """A page of profile IDs (segment members, `profiles`) as a connection of profiles, read
    through the loader in one batch."""
    found = await info.context.loaders.profiles.load_many(list(page.profile_ids))
    profiles: list[GoldenProfile] = [p for p in found if p is not None]
    return connection(
        profiles,
        Profile.of,
        lambda p: member_cursor(p.id),
        page.has_next_page,
        after is not None,
    )


@strawberry.type(
    description="A named filter over profiles. `size` and `share` are evaluated when asked "
    "(event windows end now); `share` is the size over all people (profiles not only of junk)."
)
class Segment:
    id: strawberry.ID
    name: str
    description: str
    definition: JSON = strawberry.field(description="The filter, in the segment language")
    purpose: str | None = strawberry.field(
        description="The consent purpose an export is for; identifiers without it are left out"
    )
    created_at: datetime
    updated_at: datetime
    segment: strawberry.Private[domain.Segment]

    @classmethod
    def of(cls, segment: domain.Segment) -> Segment:
        return cls(
            id=strawberry.ID(segment.id),
            name=segment.name,
            description=segment.description,
            definition=JSON(definition_to_json(segment.definition)),
            purpose=segment.purpose,
            created_at=segment.created_at,
            updated_at=segment.updated_at,
            segment=segment,
        )

    @field("How many people are members now.")
    async def size(self, info: Info) -> int:
        return (await info.context.loaders.segment_sizes.load(self.segment)).size

    @field("Members as a share of all people, from 0 to 1.")
    async def share(self, info: Info) -> float:
        return (await info.context.loaders.segment_sizes.load(self.segment)).share

    @field("Members in profile ID order.")
    async def members(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Profile]:
        segments = info.context.segments
        query = segments.query(self.segment.definition)
        page = await info.context.read(
            segments.store.segment_members, query, page_size(first), after
        )
        return await profile_page(info, page, after)


@strawberry.type(description="What a definition selects, before it is saved.")
class SegmentPreview:
    definition: JSON
    size: int
    share: float
    members: Connection[Profile]


@strawberry.type(description="How many events of one type.")
class EventTypeCount:
    type: str
    count: int


@strawberry.type(
    description="What a person did and is worth, computed from their events at `asOf`. Money "
    "is in `currency`; `customerLifetimeValue` is average order value x purchase frequency x "
    "the configured lifespan."
)
class Traits:
    as_of: datetime
    first_seen: datetime
    last_seen: datetime
    event_count: int
    events_by_type: list[EventTypeCount]
    order_count: int
    total_revenue: float
    average_order_value: float | None = strawberry.field(description="Null without orders")
    purchase_frequency: float = strawberry.field(description="Orders per year of tenure")
    customer_lifetime_value: float
    recency_days: int = strawberry.field(description="Calendar days since last seen")
    engagement_score: float
    data_quality: float = strawberry.field(
        description="Share of standard attributes and identifier types present, 0 to 1"
    )
    currency: str

    @classmethod
    def of(cls, traits: domain_traits.ProfileTraits) -> Traits:
        return cls(
            as_of=traits.as_of,
            first_seen=traits.first_seen,
            last_seen=traits.last_seen,
            event_count=traits.event_count,
            events_by_type=[
                EventTypeCount(type=name, count=count)
                for name, count in traits.events_by_type.items()
            ],
            order_count=traits.order_count,
            total_revenue=traits.total_revenue,
            average_order_value=traits.average_order_value,
            purchase_frequency=traits.purchase_frequency,
            customer_lifetime_value=traits.customer_lifetime_value,
            recency_days=traits.recency_days,
            engagement_score=traits.engagement_score,
            data_quality=traits.data_quality,
            currency=traits.currency,
        )


@strawberry.enum(description="Whether an identifier may be used for a purpose.")
class ConsentStatus(Enum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


@strawberry.type(
    description="The consent in force for one identifier and purpose: the latest statement."
)
class IdentifierConsent:
    identifier: Identifier
    purpose: str
    status: ConsentStatus
    stated_at: datetime
    source: str

    @classmethod
    def of(cls, state: domain_consent.ConsentState) -> IdentifierConsent:
        return cls(
            identifier=Identifier.of(state.identifier),
            purpose=state.purpose,
            status=ConsentStatus(state.status),
            stated_at=state.stated_at,
            source=state.source,
        )


@strawberry.type(description="How many consent statements were recorded.")
class ConsentReport:
    recorded: int
