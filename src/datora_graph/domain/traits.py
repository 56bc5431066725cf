"""Computed traits of a profile: what a person did and is worth, derived from their events.

**Crediting.** An event can carry several identifiers (an order: email, user ID, cookie). It
counts once, for the identifier it names first — the one its source keys it by — so a
purchase is never counted twice for one person, nor once for each of two profiles whose
identifiers it carries but which are not (yet) one person. Stores keep per-identifier
aggregates of credited events and add them up per profile: a merge or a split moves
identifiers, and the traits follow without rewriting any event.

**The aggregates** (`ActivitySummary`) are sums a store maintains; everything else is derived
here, with the same arithmetic the store's segment queries use, so a trait read and a segment
condition on it always agree:

- `first_seen` / `last_seen`: the earlier of the profile's creation and its first event; the
  later of its last observation and its last event.
- `order_count`, `total_revenue`: events of the order types (`purchase`) and the sum of their
  numeric `revenue` property, kept in integer cents so sums are exact.
- `average_order_value` = total revenue / orders (none without orders).
- `purchase_frequency` = orders per year of tenure, tenure being the calendar days from
  `first_seen` to `as_of`, counted as at least one year (a week-old customer is not
  extrapolated to fifty orders a year).
- `customer_lifetime_value` = average order value * purchase frequency * expected lifespan
  (years, configurable), which is total revenue * lifespan / tenure.
- `recency_days`: calendar days from `last_seen` to `as_of`.
- `engagement_score`: the sum over events of the score of their type (page_view 1 …
  purchase 20, configurable), kept in integer thousandths so it is exact.
- `data_quality`: the share of the standard attributes and identifier types the profile has.

    >>> facts = TraitFacts("prf_1", created, updated, frozenset({"city"}), frozenset({"email"}))
    >>> compute_traits(facts, TraitSettings(), as_of).order_count    # doctest: +SKIP
    0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from datora_graph.domain.records import STANDARD_ATTRIBUTES, standard_attributes

TraitName = Literal[
    "first_seen",
    "last_seen",
    "event_count",
    "order_count",
    "total_revenue",
    "average_order_value",
    "purchase_frequency",
    "customer_lifetime_value",
    "recency_days",
    "engagement_score",
    "data_quality",
]
TIME_TRAITS: frozenset[str] = frozenset({"first_seen", "last_seen"})
"""Traits that are moments; they compare with ISO 8601 timestamps."""
NUMBER_TRAITS: frozenset[str] = frozenset(
    {
        "event_count",
        "order_count",
        "total_revenue",
        "average_order_value",
        "purchase_frequency",
        "customer_lifetime_value",
        "recency_days",
        "engagement_score",
        "data_quality",
    }
)
TRAIT_NAMES: tuple[str, ...] = tuple(sorted(TIME_TRAITS | NUMBER_TRAITS))

DEFAULT_EVENT_SCORES: Mapping[str, float] = {
    "page_view": 1,
    "app_open": 1,
    "product_view": 2,
    "email_open": 2,
    "email_click": 3,
    "support_call": 3,
    "add_to_cart": 5,
    "purchase": 20,
}
BUILTIN_IDENTIFIER_TYPES = ("crm_id", "user_id", "email", "phone", "device_id", "cookie_id")
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True)
class TraitSettings:
    """How traits are computed; from `Settings.trait_settings()`.

    `identifier_types` are the types the data-quality score looks for (the registry's)."""

    event_scores: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EVENT_SCORES))
    default_event_score: float = 1.0
    order_event_types: tuple[str, ...] = ("purchase",)
    expected_lifespan_years: float = 3.0
    identifier_types: tuple[str, ...] = BUILTIN_IDENTIFIER_TYPES
    currency: str = "USD"

    def score_milli(self, event_type: str) -> int:
        return to_milli(self.event_scores.get(event_type, self.default_event_score))

    def scores_milli(self) -> dict[str, int]:
        return {name: to_milli(score) for name, score in sorted(self.event_scores.items())}

    def materialised(self) -> tuple[tuple[tuple[str, int], ...], int, tuple[str, ...]]:
        """What a store folds into its stored aggregates: when it changes, they are recomputed."""
        return (
            tuple(self.scores_milli().items()),
            to_milli(self.default_event_score),
            tuple(sorted(set(self.order_event_types))),
        )


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    """The sums a store keeps per profile over the events credited to its identifiers."""

    events: int
    orders: int
    revenue_cents: int
    engagement_milli: int
    first_at: datetime
    last_at: datetime
    events_by_type: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class TraitFacts:
    """Everything traits are computed from: a few profile facts and the activity summary."""

    profile_id: str
    created_at: datetime
    updated_at: datetime
    attribute_names: frozenset[str]
    identifier_types: frozenset[str]
    activity: ActivitySummary | None = None


@dataclass(frozen=True, slots=True)
class ProfileTraits:
    profile_id: str
    as_of: datetime
    first_seen: datetime
    last_seen: datetime
    event_count: int
    events_by_type: Mapping[str, int]
    order_count: int
    total_revenue: float
    average_order_value: float | None
    purchase_frequency: float
    customer_lifetime_value: float
    recency_days: int
    engagement_score: float
    data_quality: float
    currency: str

    def value(self, name: str) -> Any:
        """A trait by the name segment definitions use."""
        if name not in TIME_TRAITS and name not in NUMBER_TRAITS:
            raise KeyError(name)
        return getattr(self, name)


def compute_traits(facts: TraitFacts, settings: TraitSettings, as_of: datetime) -> ProfileTraits:
    """Every trait of one profile at `as_of` (timezone-aware)."""
    activity = facts.activity
    first_seen, last_seen = facts.created_at, facts.updated_at
    events = orders = cents = milli = 0
    by_type: Mapping[str, int] = {}
    if activity is not None:
        first_seen = min(first_seen, activity.first_at)
        last_seen = max(last_seen, activity.last_at)
        events, orders = activity.events, activity.orders
        cents, milli = activity.revenue_cents, activity.engagement_milli
        by_type = dict(sorted(activity.events_by_type.items()))
    revenue = cents / 100
    tenure = tenure_years(first_seen, as_of)
    return ProfileTraits(
        profile_id=facts.profile_id,
        as_of=as_of,
        first_seen=first_seen,
        last_seen=last_seen,
        event_count=events,
        events_by_type=by_type,
        order_count=orders,
        total_revenue=revenue,
        average_order_value=revenue / orders if orders > 0 else None,
        purchase_frequency=orders / tenure,
        customer_lifetime_value=revenue * settings.expected_lifespan_years / tenure,
        recency_days=max(calendar_days(last_seen, as_of), 0),
        engagement_score=milli / 1000,
        data_quality=data_quality(facts.attribute_names, facts.identifier_types, settings),
        currency=settings.currency,
    )


def calendar_days(start: datetime, end: datetime) -> int:
    """Whole calendar days (UTC dates) from `start` to `end`."""
    return (end.date() - start.date()).days


def tenure_years(first_seen: datetime, as_of: datetime) -> float:
    """Years from `first_seen` to `as_of` by calendar days, at least one."""
    return max(calendar_days(first_seen, as_of) / DAYS_PER_YEAR, 1.0)


def data_quality(
    attribute_names: Iterable[str], identifier_types: Iterable[str], settings: TraitSettings
) -> float:
    wanted = len(STANDARD_ATTRIBUTES) + len(settings.identifier_types)
    present = standard_attributes(frozenset(attribute_names))
    present += sum(1 for name in set(identifier_types) if name in settings.identifier_types)
    return present / wanted


def to_cents(revenue: object) -> int | None:
    """A numeric revenue in integer cents, rounded half away from zero as SQLite's `round`
    does; None for anything that is not a number (booleans and text included)."""
    if type(revenue) not in (int, float):
        return None
    value = float(revenue) * 100  # type: ignore[arg-type]
    if not math.isfinite(value):
        return None
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def to_milli(score: float) -> int:
    return round(score * 1000)


@dataclass(frozen=True, slots=True)
class CreditedEvent:
    """An event as the aggregates see it: its type, time and revenue (cents, if numeric)."""

    event_type: str
    occurred_at: datetime
    revenue_cents: int | None = None


def summarise(events: Iterable[CreditedEvent], settings: TraitSettings) -> ActivitySummary | None:
    """The summary of the events credited to a profile's identifiers: the reference for what
    a store maintains (tests compare the two), None when there are none."""
    items = list(events)
    if not items:
        return None
    orders = set(settings.order_event_types)
    by_type: dict[str, int] = {}
    order_count = cents = milli = 0
    for item in items:
        by_type[item.event_type] = by_type.get(item.event_type, 0) + 1
        milli += settings.score_milli(item.event_type)
        if item.event_type in orders:
            order_count += 1
            cents += item.revenue_cents or 0
    return ActivitySummary(
        events=len(items),
        orders=order_count,
        revenue_cents=cents,
        engagement_milli=milli,
        first_at=min(i.occurred_at for i in items),
        last_at=max(i.occurred_at for i in items),
        events_by_type=by_type,
    )
