"""The insight reports every store answers: attribute completeness over people, the revenue and
CLV distributions over people with orders, and events by day and type (see segment_world)."""

from __future__ import annotations

from datetime import date

import pytest

from datora_graph.domain.insights import VALUE_EDGES, percentile_offsets
from datora_graph.domain.traits import compute_traits
from datora_graph.store.base import GraphStore

from .segment_world import AS_OF, SETTINGS, build_world, day


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    build_world(store)
    return store


def test_completeness_is_the_share_of_people_having_each_attribute(world: GraphStore) -> None:
    shares = world.attribute_completeness(["city", "first_name", "country", "tags"])

    assert shares == pytest.approx(
        {"city": 2 / 3, "first_name": 1 / 3, "country": 0, "tags": 1 / 3}
    )


def test_revenue_is_distributed_over_people_with_orders(world: GraphStore) -> None:
    found = world.value_distribution("revenue", AS_OF, SETTINGS)

    assert (found.kind, found.count) == ("revenue", 2)  # ann and bob; junk never counts
    assert found.total == pytest.approx(160.5)
    assert (found.minimum, found.maximum) == (60.5, 100)
    assert found.mean == pytest.approx(80.25)
    assert found.percentiles == {50: 60.5, 90: 100, 99: 100}
    counts = {b.lower: b.count for b in found.buckets if b.count}
    assert counts == {50: 1, 100: 1}
    assert [b.lower for b in found.buckets] == list(VALUE_EDGES)


def test_lifetime_value_follows_the_traits(world: GraphStore) -> None:
    facts = world.trait_facts(["prf_ann", "prf_bob", "prf_cy"])
    values = sorted(
        compute_traits(f, SETTINGS, AS_OF).customer_lifetime_value
        for f in facts.values()
        if f.activity is not None and f.activity.orders > 0
    )

    found = world.value_distribution("clv", AS_OF, SETTINGS)

    assert found.count == len(values) == 2
    assert found.total == pytest.approx(sum(values))
    assert (found.minimum, found.maximum) == pytest.approx((values[0], values[-1]))
    ranks = percentile_offsets(len(values))
    assert found.percentiles == pytest.approx({p: values[r] for p, r in ranks.items()})


def test_a_graph_without_orders_has_an_empty_distribution(store: GraphStore) -> None:
    found = store.value_distribution("revenue", AS_OF, SETTINGS)

    assert (found.count, found.total, found.buckets) == (0, 0.0, ())


def test_events_are_counted_by_day_and_type_in_a_half_open_window(world: GraphStore) -> None:
    found = world.events_per_day(day(30), day(39))

    rows = [(d.day, d.event_type, d.events, d.revenue) for d in found]
    assert rows == [
        (date(2026, 5, 31), "purchase", 1, 20.5),
        (date(2026, 6, 5), "purchase", 1, 30.0),
        (date(2026, 6, 6), "page_view", 1, 0.0),
        (date(2026, 6, 6), "purchase", 1, 999.0),  # every event counts, junk included
        (date(2026, 6, 8), "page_view", 1, 0.0),
    ]
    assert world.events_per_day(day(39), day(40)) == [
        type(found[0])(date(2026, 6, 9), "page_view", 2, 0.0)
    ]
