"""Insights: the reports that turn the identity graph into decisions. Read models, no I/O.

A store answers the aggregate questions (`GraphCounts`, `ValueDistribution`, daily event
counts, attribute completeness); `segment_service.SegmentService.insights` puts them together
into `Insights`, which the CLI prints (`datora report`) and GraphQL serves.

Definitions a reader needs:

- **people**: profiles that are not made only of junk identifiers; segments and shares count
  people, never junk profiles.
- **merge rate**: the share of identifiers that resolved into a profile together with others,
  `(identifiers - profiles) / identifiers`: 0 when nothing linked, near 1 when few profiles
  hold many identifiers.
- **cluster sizes**: how many profiles hold 1, 2, 3, … identifiers (`CLUSTER_BUCKETS`).
- **revenue and CLV distributions**: over people with at least one order, in the configured
  currency, with percentiles and a histogram over `VALUE_EDGES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

ValueKind = Literal["revenue", "clv"]
CLUSTER_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1),
    (2, 2),
    (3, 3),
    (4, 4),
    (5, 5),
    (6, 10),
    (11, 20),
    (21, 50),
    (51, None),
)
VALUE_EDGES: tuple[float, ...] = (0, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000)
"""Lower edges of the value histogram's buckets; the last bucket is open-ended."""
PERCENTILES: tuple[int, ...] = (50, 90, 99)


@dataclass(frozen=True, slots=True)
class GraphCounts:
    """Counts over the whole graph, as a store answers them."""

    profiles: int
    people: int
    identifiers: int
    identifiers_by_type: Mapping[str, int]
    merges: int
    held_links: int
    open_review_items: int
    profile_sizes: Mapping[int, int]
    """Profile size (identifiers) → how many profiles have it."""

    @property
    def junk_profiles(self) -> int:
        return self.profiles - self.people

    @property
    def merge_rate(self) -> float:
        if not self.identifiers:
            return 0.0
        return (self.identifiers - self.profiles) / self.identifiers


@dataclass(frozen=True, slots=True)
class Bucket:
    """Items with a value in `[lower, upper)`; `upper` None is open-ended."""

    lower: float
    upper: float | None
    count: int

    @property
    def label(self) -> str:
        if self.upper is None:
            return f"{_number(self.lower)}+"
        return f"{_number(self.lower)}-{_number(self.upper)}"


@dataclass(frozen=True, slots=True)
class SizeBucket:
    """Profiles holding from `smallest` to `largest` identifiers (None: no upper bound)."""

    smallest: int
    largest: int | None
    count: int

    @property
    def label(self) -> str:
        if self.largest is None:
            return f"{self.smallest}+"
        if self.largest == self.smallest:
            return str(self.smallest)
        return f"{self.smallest}-{self.largest}"


@dataclass(frozen=True, slots=True)
class ValueDistribution:
    """A money value (revenue or CLV) over people with orders."""

    kind: ValueKind
    count: int
    total: float
    mean: float
    minimum: float
    maximum: float
    percentiles: Mapping[int, float]
    buckets: Sequence[Bucket]

    @classmethod
    def empty(cls, kind: ValueKind) -> ValueDistribution:
        return cls(kind, 0, 0.0, 0.0, 0.0, 0.0, {}, ())


@dataclass(frozen=True, slots=True)
class DailyEvents:
    """Events of one type on one UTC day, with the revenue they carried (cents summed)."""

    day: date
    event_type: str
    events: int
    revenue: float


@dataclass(frozen=True, slots=True)
class SegmentSizeRow:
    segment_id: str
    name: str
    size: int
    share: float


@dataclass(frozen=True, slots=True)
class Insights:
    as_of: datetime
    currency: str
    counts: GraphCounts
    cluster_sizes: Sequence[SizeBucket]
    completeness: Mapping[str, float]
    """Standard attribute → share of people that have it."""
    segments: Sequence[SegmentSizeRow]
    revenue: ValueDistribution
    clv: ValueDistribution
    events_per_day: Sequence[DailyEvents]
    days: int = 30
    notes: Sequence[str] = field(default_factory=tuple)


def cluster_buckets(sizes: Mapping[int, int]) -> list[SizeBucket]:
    """Profile sizes (size → profiles) grouped into `CLUSTER_BUCKETS`."""
    return [
        SizeBucket(
            smallest,
            largest,
            sum(n for size, n in sizes.items() if smallest <= size <= (largest or size)),
        )
        for smallest, largest in CLUSTER_BUCKETS
    ]


def value_buckets(counts: Mapping[int, int], edges: Sequence[float] = VALUE_EDGES) -> list[Bucket]:
    """Histogram buckets from `bucket index → count` (index i covers `edges[i]` up to the next)."""
    return [
        Bucket(lower, edges[n + 1] if n + 1 < len(edges) else None, counts.get(n, 0))
        for n, lower in enumerate(edges)
    ]


def percentile_offsets(count: int, percentiles: Iterable[int] = PERCENTILES) -> dict[int, int]:
    """The 0-based rank of each percentile among `count` sorted values (nearest rank)."""
    if count <= 0:
        return {}
    return {p: max(0, min(count - 1, -(-p * count // 100) - 1)) for p in percentiles}


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
