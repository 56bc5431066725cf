"""Computed traits from activity aggregates: the formulas a store's segment SQL must match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from datora_graph.domain.traits import (
    ActivitySummary,
    CreditedEvent,
    TraitFacts,
    TraitSettings,
    compute_traits,
    summarise,
    tenure_years,
    to_cents,
)

CREATED = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
UPDATED = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = TraitSettings()


def facts(activity: ActivitySummary | None = None, **overrides: object) -> TraitFacts:
    values: dict[str, object] = {
        "profile_id": "prf_ann",
        "created_at": CREATED,
        "updated_at": UPDATED,
        "attribute_names": frozenset({"first_name", "city", "loyalty_tier"}),
        "identifier_types": frozenset({"email", "cookie_id"}),
        "activity": activity,
    }
    values.update(overrides)
    return TraitFacts(**values)  # type: ignore[arg-type]


def test_a_profile_without_events_has_empty_activity_traits() -> None:
    traits = compute_traits(facts(), SETTINGS, AS_OF)

    assert (traits.first_seen, traits.last_seen) == (CREATED, UPDATED)
    assert (traits.event_count, traits.order_count, traits.total_revenue) == (0, 0, 0.0)
    assert traits.events_by_type == {}
    assert traits.average_order_value is None
    assert (traits.purchase_frequency, traits.customer_lifetime_value) == (0.0, 0.0)
    assert traits.engagement_score == 0.0
    assert traits.recency_days == (AS_OF.date() - UPDATED.date()).days == 214


def test_activity_widens_first_and_last_seen_and_gives_order_traits() -> None:
    activity = ActivitySummary(
        events=5,
        orders=2,
        revenue_cents=12_050,
        engagement_milli=42_000,
        first_at=CREATED - timedelta(days=3),
        last_at=UPDATED + timedelta(days=10),
        events_by_type={"purchase": 2, "page_view": 3},
    )

    traits = compute_traits(facts(activity), SETTINGS, AS_OF)

    assert traits.first_seen == CREATED - timedelta(days=3)
    assert traits.last_seen == UPDATED + timedelta(days=10)
    assert traits.events_by_type == {"page_view": 3, "purchase": 2}
    assert traits.total_revenue == 120.5
    assert traits.average_order_value == 60.25
    assert traits.engagement_score == 42.0
    # tenure is under a year, so counted as one: 2 orders a year, 120.50 a year, 3 years
    assert traits.purchase_frequency == 2.0
    assert traits.customer_lifetime_value == pytest.approx(361.5)
    assert traits.recency_days == 204


def test_clv_is_aov_times_frequency_times_lifespan_over_a_long_tenure() -> None:
    first = datetime(2023, 1, 1, tzinfo=UTC)
    activity = ActivitySummary(4, 4, 40_000, 0, first, AS_OF, {"purchase": 4})
    settings = TraitSettings(expected_lifespan_years=5.0)

    traits = compute_traits(facts(activity, created_at=first), settings, AS_OF)

    years = (AS_OF.date() - first.date()).days / 365.25
    assert years > 2.9
    assert traits.purchase_frequency == pytest.approx(4 / years)
    aov_times_frequency_times_lifespan = 100.0 * (4 / years) * 5.0
    assert traits.customer_lifetime_value == pytest.approx(aov_times_frequency_times_lifespan)


def test_tenure_counts_calendar_days_and_at_least_a_year() -> None:
    assert tenure_years(datetime(2025, 12, 31, 23, 59, tzinfo=UTC), AS_OF) == 1.0
    assert tenure_years(datetime(2024, 1, 1, tzinfo=UTC), AS_OF) == 731 / 365.25


def test_recency_counts_calendar_days_and_is_never_negative() -> None:
    late_last_night = facts(updated_at=datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    from_the_future = facts(updated_at=AS_OF + timedelta(days=3))

    assert compute_traits(late_last_night, SETTINGS, AS_OF).recency_days == 1
    assert compute_traits(from_the_future, SETTINGS, AS_OF).recency_days == 0


def test_data_quality_is_the_share_of_standard_attributes_and_known_types() -> None:
    traits = compute_traits(facts(), SETTINGS, AS_OF)
    only_email_type = TraitSettings(identifier_types=("email",))

    # first_name and city of 9 standard attributes; email and cookie_id of 6 types
    assert traits.data_quality == 4 / 15
    assert compute_traits(facts(), only_email_type, AS_OF).data_quality == 3 / 10


def test_summarise_counts_orders_of_the_order_types_and_scores_every_event() -> None:
    t = datetime(2025, 5, 1, tzinfo=UTC)
    events = [
        CreditedEvent("purchase", t, 1_999),
        CreditedEvent("purchase", t + timedelta(days=1), None),
        CreditedEvent("refund", t + timedelta(days=2), -1_999),
        CreditedEvent("page_view", t - timedelta(days=1)),
        CreditedEvent("webinar", t),
    ]
    settings = TraitSettings(event_scores={"purchase": 20, "page_view": 0.5}, default_event_score=2)

    summary = summarise(events, settings)

    assert summary is not None
    assert (summary.events, summary.orders, summary.revenue_cents) == (5, 2, 1_999)
    assert summary.engagement_milli == 20_000 * 2 + 500 + 2_000 * 2
    assert (summary.first_at, summary.last_at) == (t - timedelta(days=1), t + timedelta(days=2))
    assert summary.events_by_type == {"purchase": 2, "refund": 1, "page_view": 1, "webinar": 1}
    assert summarise([], settings) is None


@pytest.mark.parametrize(
    ("revenue", "cents"),
    [
        (42.5, 4250),
        (0.125, 13),
        (-0.125, -13),
        (155.24, 15524),
        (7, 700),
        (True, None),
        ("12.00", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_revenue_becomes_cents_rounded_half_away_from_zero(revenue: object, cents: int) -> None:
    assert to_cents(revenue) == cents


def test_scores_are_kept_in_thousandths_and_fall_back_to_the_default() -> None:
    settings = TraitSettings(event_scores={"page_view": 0.25}, default_event_score=1.5)

    assert settings.score_milli("page_view") == 250
    assert settings.score_milli("anything") == 1500
    assert TraitSettings().score_milli("purchase") == 20_000


def test_materialised_settings_ignore_what_is_computed_at_query_time() -> None:
    base = TraitSettings()

    assert base.materialised() == TraitSettings(expected_lifespan_years=9).materialised()
    assert base.materialised() != TraitSettings(order_event_types=("order",)).materialised()
    assert base.materialised() != TraitSettings(default_event_score=0).materialised()
