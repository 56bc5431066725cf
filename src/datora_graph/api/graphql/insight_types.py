"""GraphQL views of the insights report (`domain/insights.py`): the numbers `datora report`
prints, for dashboards."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from datora_graph.domain import insights as domain


@strawberry.type(description="How many identifiers of one type.")
class TypeCount:
    type: str
    count: int


@strawberry.type(description="Counts over the whole graph.")
class GraphCounts:
    profiles: int
    people: int = strawberry.field(description="Profiles not made only of junk identifiers")
    junk_profiles: int
    identifiers: int
    identifiers_by_type: list[TypeCount]
    merges: int
    merge_rate: float = strawberry.field(
        description="(identifiers - profiles) / identifiers: 0 when nothing linked"
    )
    held_links: int
    open_review_items: int


@strawberry.type(description="Profiles holding from `smallest` to `largest` identifiers.")
class ClusterSize:
    smallest: int
    largest: int | None = strawberry.field(description="Null: no upper bound")
    label: str
    count: int


@strawberry.type(description="The share of people whose golden attributes have one.")
class Completeness:
    attribute: str
    share: float


@strawberry.type(description="A segment's size now.")
class SegmentSizeRow:
    segment_id: strawberry.ID
    name: str
    size: int
    share: float


@strawberry.type(description="A percentile of a value distribution.")
class Percentile:
    percentile: int
    value: float


@strawberry.type(description="Values in `[lower, upper)`; `upper` null is open-ended.")
class ValueBucket:
    lower: float
    upper: float | None
    label: str
    count: int


@strawberry.type(description="Revenue or customer lifetime value over people with orders.")
class ValueDistribution:
    kind: str
    count: int
    total: float
    mean: float
    minimum: float
    maximum: float
    percentiles: list[Percentile]
    buckets: list[ValueBucket]

    @classmethod
    def of(cls, value: domain.ValueDistribution) -> ValueDistribution:
        return cls(
            kind=value.kind,
            count=value.count,
            total=value.total,
            mean=value.mean,
            minimum=value.minimum,
            maximum=value.maximum,
            percentiles=[Percentile(percentile=p, value=v) for p, v in value.percentiles.items()],
            buckets=[
                ValueBucket(lower=b.lower, upper=b.upper, label=b.label, count=b.count)
                for b in value.buckets
            ],
        )


@strawberry.type(description="Events of one type on one UTC day, and the revenue they carried.")
class DailyEvents:
    day: date
    event_type: str
    events: int
    revenue: float


@strawberry.type(description="The reports that turn the identity graph into decisions.")
class Insights:
    as_of: datetime
    currency: str
    days: int = strawberry.field(description="Days covered by `eventsPerDay`, ending `asOf`")
    counts: GraphCounts
    cluster_sizes: list[ClusterSize]
    completeness: list[Completeness]
    segments: list[SegmentSizeRow]
    revenue: ValueDistribution
    clv: ValueDistribution
    events_per_day: list[DailyEvents]

    @classmethod
    def of(cls, report: domain.Insights) -> Insights:
        counts = report.counts
        return cls(
            as_of=report.as_of,
            currency=report.currency,
            days=report.days,
            counts=GraphCounts(
                profiles=counts.profiles,
                people=counts.people,
                junk_profiles=counts.junk_profiles,
                identifiers=counts.identifiers,
                identifiers_by_type=[
                    TypeCount(type=t, count=n) for t, n in counts.identifiers_by_type.items()
                ],
                merges=counts.merges,
                merge_rate=counts.merge_rate,
                held_links=counts.held_links,
                open_review_items=counts.open_review_items,
            ),
            cluster_sizes=[
                ClusterSize(smallest=b.smallest, largest=b.largest, label=b.label, count=b.count)
                for b in report.cluster_sizes
            ],
            completeness=[
                Completeness(attribute=name, share=share)
                for name, share in report.completeness.items()
            ],
            segments=[
                SegmentSizeRow(
                    segment_id=strawberry.ID(row.segment_id),
                    name=row.name,
                    size=row.size,
                    share=row.share,
                )
                for row in report.segments
            ],
            revenue=ValueDistribution.of(report.revenue),
            clv=ValueDistribution.of(report.clv),
            events_per_day=[
                DailyEvents(
                    day=row.day, event_type=row.event_type, events=row.events, revenue=row.revenue
                )
                for row in report.events_per_day
            ],
        )
