"""GraphQL object types: thin views over the domain's read models.

Plain values are copied into fields when a view is built (`Profile.of(golden_profile)`); what
needs another store read (a journey, merge history, the profiles of a review item) is a
resolver going through the request's DataLoaders, so a list of N items costs the same store
calls as one.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from datora_graph.api.graphql.access import (
    PersonalProperties,
    pii_attributes,
    pii_key,
    pii_value,
)
from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import field
from datora_graph.api.graphql.limits import page_size
from datora_graph.api.graphql.pagination import Connection, connection, event_cursor
from datora_graph.domain import profiles as domain
from datora_graph.domain.cannot_links import held_by_constraint
from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.identifiers import Identifier as DomainIdentifier
from datora_graph.domain.records import Event as DomainEvent
from datora_graph.services import IngestReport as DomainIngestReport

if TYPE_CHECKING:
    from datora_graph.api.graphql.segment_types import IdentifierConsent, Segment, Traits

_SEGMENT_TYPES = strawberry.lazy("datora_graph.api.graphql.segment_types")
"""Segments list their members (profiles), profiles their segments: one side is lazy."""


@strawberry.type(description="An identifier as `type` and normalised `value`.")
class Identifier:
    type: str
    value: str = strawberry.field(
        description="The normalised value; `***` for a key without the `read:pii` scope",
        extensions=[pii_value()],
    )
    key: str = strawberry.field(
        description="`type:value`, the form REST lookups take", extensions=[pii_key()]
    )

    @classmethod
    def of(cls, identifier: DomainIdentifier) -> Identifier:
        return cls(type=identifier.type, value=identifier.value, key=identifier.key)


@strawberry.type(description="An identifier of a profile, with what is known about it.")
class ProfileIdentifier:
    type: str
    value: str = strawberry.field(
        description="The normalised value; `***` for a key without the `read:pii` scope",
        extensions=[pii_value()],
    )
    key: str = strawberry.field(extensions=[pii_key()])
    junk: bool = strawberry.field(
        description="A value that identifies nobody (test@test.com, all-zero device IDs); "
        "it never links to other identifiers"
    )
    first_seen: datetime
    quarantined: bool = strawberry.field(
        default=False,
        description="A hub (a kiosk, a shared device, a household contact): kept and shown, "
        "but no new merge goes through it",
    )

    @classmethod
    def of(cls, held: domain.ProfileIdentifier) -> ProfileIdentifier:
        identifier = held.identifier
        return cls(
            type=identifier.type,
            value=identifier.value,
            key=identifier.key,
            junk=held.junk,
            first_seen=held.first_seen,
            quarantined=held.quarantined,
        )


@strawberry.type(description="A behavioural event of a journey.")
class Event:
    id: str
    type: str
    occurred_at: datetime
    source: str
    identifiers: list[Identifier]
    properties: JSON = strawberry.field(
        description="As sent; for a key without the `read:pii` scope, only the values of the "
        "properties named in `DATORA_EVENT_PROPERTIES_SHOWN` (revenue, products, pages), the "
        "others `***`",
        extensions=[PersonalProperties()],
    )

    @classmethod
    def of(cls, event: DomainEvent) -> Event:
        return cls(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            source=event.source,
            identifiers=[Identifier.of(i) for i in event.identifiers],
            properties=JSON(dict(event.properties)),
        )


@strawberry.type(description="Profile `absorbed` joined profile `survivor`, and why.")
class Merge:
    absorbed: str
    survivor: str
    observation_id: str
    at: datetime
    reason: str

    @classmethod
    def of(cls, record: domain.MergeRecord) -> Merge:
        return cls(
            absorbed=record.absorbed,
            survivor=record.survivor,
            observation_id=record.observation_id,
            at=record.at,
            reason=record.reason,
        )


@strawberry.type(
    description="A resolved person: one connected group of identifiers with golden attributes. "
    "`id` stays valid after merges: an absorbed ID is one of the survivor's `aliases`."
)
class Profile:
    id: strawberry.ID
    aliases: list[str]
    attributes: JSON = strawberry.field(
        description="Golden attributes, by survivorship rules; each value is `***` for a key "
        "without the `read:pii` scope",
        extensions=[pii_attributes()],
    )
    size: int = strawberry.field(description="How many identifiers the profile holds")
    created_at: datetime
    updated_at: datetime
    junk: bool
    held_identifiers: strawberry.Private[list[ProfileIdentifier]]

    @classmethod
    def of(cls, profile: domain.GoldenProfile) -> Profile:
        return cls(
            id=strawberry.ID(profile.id),
            aliases=list(profile.aliases),
            attributes=JSON(dict(profile.attributes)),
            size=profile.size,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
            junk=profile.junk,
            held_identifiers=[ProfileIdentifier.of(i) for i in profile.identifiers],
        )

    @field("The profile's identifiers, of one type if `type` is given.")
    def identifiers(self, type: str | None = None) -> list[ProfileIdentifier]:
        if type is None:
            return self.held_identifiers
        return [i for i in self.held_identifiers if i.type == type]

    @field(
        "Every event of every identifier of the profile, oldest first; `since` "
        "includes its instant, `until` excludes it."
    )
    async def journey(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        types: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Connection[Event]:
        if since is not None and until is not None and since > until:
            raise InvalidInput("since", "is later than until")
        query = domain.JourneyQuery(
            first=page_size(first),
            after=after,
            types=frozenset(t.strip() for t in types or () if t.strip()),
            since=since,
            until=until,
        )
        page = await info.context.loaders.journeys.load((str(self.id), query))
        return connection(page.events, Event.of, event_cursor, page.has_next_page, bool(after))

    @field("Every merge that built this profile, oldest first.")
    async def merge_history(self, info: Info) -> list[Merge]:
        records = await info.context.loaders.merge_history.load(str(self.id))
        return [Merge.of(r) for r in records]

    @field("Computed traits (order count, revenue, CLV, engagement, ...), as of now.")
    async def traits(self, info: Info) -> Annotated[Traits, _SEGMENT_TYPES]:
        from datora_graph.api.graphql.segment_types import Traits

        traits = await info.context.loaders.traits.load(str(self.id))
        if traits is None:
            raise NotFound(f"no profile has the ID {self.id!r}")
        return Traits.of(traits)

    @field("The segments the profile is a member of now, by name.")
    async def segments(self, info: Info) -> list[Annotated[Segment, _SEGMENT_TYPES]]:
        from datora_graph.api.graphql.segment_types import Segment

        return [Segment.of(s) for s in await info.context.loaders.segments_of.load(str(self.id))]

    @field("The consent in force for each identifier and purpose (the latest statement).")
    async def consent(self, info: Info) -> list[Annotated[IdentifierConsent, _SEGMENT_TYPES]]:
        from datora_graph.api.graphql.segment_types import IdentifierConsent

        states = await info.context.loaders.consent.load(str(self.id))
        return [IdentifierConsent.of(state) for state in states]


async def load_profile(info: Info, profile_id: str) -> Profile:
    """The profile holding `profile_id` now (it may be an alias), through the loader."""
    profile = await info.context.loaders.profiles.load(profile_id)
    if profile is None:
        raise NotFound(f"no profile has the ID {profile_id!r}")
    return Profile.of(profile)


@strawberry.type(
    description="A decision waiting for a data steward, e.g. a merge a guard refused. "
    "`profileA` and `profileB` are the profiles holding `a` and `b` now."
)
class ReviewItem:
    id: int
    kind: str
    a: Identifier
    b: Identifier
    reason: str
    observation_id: str
    status: str = strawberry.field(
        description="open; accepted or rejected by a steward; or answered: a later record "
        "joined the profiles of `a` and `b` by another path (`answeredBy`), so there is "
        "nothing left to decide"
    )
    created_at: datetime
    guard: str = strawberry.field(
        description="The guard that held the link: limit, cannot_link, max_size, hub or quarantine"
    )
    source: str = strawberry.field(description="The source of the observation held")
    suggested_action: str = strawberry.field(
        description="`accept: ...` or `reject: ...`, with the reason a steward would give"
    )
    answered_by: str | None = strawberry.field(
        description="The observation whose link joined the two ends (status answered), else null"
    )
    constraint_id: int | None = strawberry.field(
        description="The cannot-link constraint that held the link (guard cannot_link), else "
        "null: items with one constraint ID are held by one steward's decision to keep two "
        "people apart"
    )
    profile_a_id: strawberry.Private[str]
    profile_b_id: strawberry.Private[str]

    @classmethod
    def of(cls, item: domain.ReviewItem) -> ReviewItem:
        return cls(
            id=item.id,
            kind=item.kind,
            a=Identifier.of(DomainIdentifier.from_key(item.a)),
            b=Identifier.of(DomainIdentifier.from_key(item.b)),
            reason=item.reason,
            observation_id=item.observation_id,
            status=item.status,
            created_at=item.created_at,
            guard=item.guard,
            source=item.source,
            suggested_action=item.suggested_action,
            answered_by=item.answered_by or None,
            constraint_id=held_by_constraint(item),
            profile_a_id=item.profile_a,
            profile_b_id=item.profile_b,
        )

    @field()
    async def profile_a(self, info: Info) -> Profile:
        return await load_profile(info, self.profile_a_id)

    @field()
    async def profile_b(self, info: Info) -> Profile:
        return await load_profile(info, self.profile_b_id)


@strawberry.enum(description="What happened to one item of an ingested batch.")
class ItemStatus(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@strawberry.type(description="The fate of the item at `index` of the batch; why, if refused.")
class ItemResult:
    index: int
    id: str | None
    status: ItemStatus
    field: str | None
    reason: str | None


@strawberry.type(description="What an ingest did: counts, and a result per item in order.")
class IngestReport:
    accepted: int
    duplicates: int
    rejected: int
    results: list[ItemResult]

    @classmethod
    def of(cls, report: DomainIngestReport) -> IngestReport:
        return cls(
            accepted=report.accepted,
            duplicates=report.duplicates,
            rejected=report.rejected,
            results=[
                ItemResult(
                    index=r.index,
                    id=r.id,
                    status=ItemStatus(r.status),
                    field=r.field,
                    reason=r.reason,
                )
                for r in report.results
            ],
        )
