"""Insight read models: buckets, percentile ranks and the merge rate."""

from __future__ import annotations

from datora_graph.domain.insights import (
    VALUE_EDGES,
    GraphCounts,
    cluster_buckets,
    percentile_offsets,
    value_buckets,
)


def test_cluster_sizes_fall_into_labelled_buckets() -> None:
    buckets = cluster_buckets({1: 10, 2: 4, 7: 2, 10: 1, 11: 3, 400: 1})

    assert [(b.label, b.count) for b in buckets] == [
        ("1", 10),
        ("2", 4),
        ("3", 0),
        ("4", 0),
        ("5", 0),
        ("6-10", 3),
        ("11-20", 3),
        ("21-50", 0),
        ("51+", 1),
    ]


def test_value_buckets_follow_the_edges_and_the_last_is_open() -> None:
    buckets = value_buckets({0: 2, 3: 5, len(VALUE_EDGES) - 1: 1})

    assert [b.count for b in buckets][:4] == [2, 0, 0, 5]
    assert (buckets[3].lower, buckets[3].upper, buckets[3].label) == (50, 100, "50-100")
    assert (buckets[-1].upper, buckets[-1].count, buckets[-1].label) == (None, 1, "10,000+")


def test_percentiles_are_nearest_ranks() -> None:
    assert percentile_offsets(1) == {50: 0, 90: 0, 99: 0}
    assert percentile_offsets(10) == {50: 4, 90: 8, 99: 9}
    assert percentile_offsets(200) == {50: 99, 90: 179, 99: 197}
    assert percentile_offsets(0) == {}


def test_the_merge_rate_is_the_share_of_identifiers_that_joined_another() -> None:
    counts = GraphCounts(40, 38, 100, {"email": 100}, 60, 0, 0, {})

    assert counts.merge_rate == 0.6
    assert counts.junk_profiles == 2
    assert GraphCounts(0, 0, 0, {}, 0, 0, 0, {}).merge_rate == 0.0
