"""Pairwise precision/recall by contingency table, and the networkx baselines it is compared
with. Hand-made partitions with known answers, and a brute-force check of the pair counting."""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any

import pytest

from datora_graph.demo.evaluation import (
    connected_components_baseline,
    evaluate,
    ideal_partition,
    reachable_recall,
)
from datora_graph.domain.identifiers import IdentifierRegistry

TRUTH = {
    "email:ann@gmail.com": "p1",
    "phone:+14155552671": "p1",
    "user_id:U1": "p1",
    "email:bob@yahoo.com": "p2",
    "user_id:U2": "p2",
    "device_id:tablet-1": "*shared",
    "email:test@test.com": "*junk",
}


def test_a_perfect_partition_scores_one() -> None:
    partition = {
        "prf_a": ["email:ann@gmail.com", "phone:+14155552671", "user_id:U1"],
        "prf_b": ["email:bob@yahoo.com", "user_id:U2"],
    }
    quality = evaluate(partition, TRUTH)
    assert (quality.precision, quality.recall, quality.f1) == (1.0, 1.0, 1.0)
    assert (quality.true_pairs, quality.predicted_pairs, quality.correct_pairs) == (4, 4, 4)
    assert (quality.profiles, quality.largest_profile, quality.identifiers) == (2, 3, 5)


def test_one_false_merge_costs_the_exact_share_of_pairs() -> None:
    partition = {
        "prf_a": ["email:ann@gmail.com", "phone:+14155552671", "email:bob@yahoo.com"],
        "prf_b": ["user_id:U1"],
        "prf_c": ["user_id:U2"],
    }
    quality = evaluate(partition, TRUTH)
    # predicted pairs: ann-phone (true), ann-bob, phone-bob; true pairs: 3 of p1 + 1 of p2
    assert quality.precision == pytest.approx(1 / 3)
    assert quality.recall == pytest.approx(1 / 4)
    assert quality.f1 == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))


def test_pairs_and_mappings_are_the_same_partition() -> None:
    pairs = [
        ("email:ann@gmail.com", "x"),
        ("phone:+14155552671", "x"),
        ("user_id:U1", "y"),
        ("email:bob@yahoo.com", "y"),
    ]
    mapping = {
        "x": ["email:ann@gmail.com", "phone:+14155552671"],
        "y": ["user_id:U1", "email:bob@yahoo.com"],
    }
    assert evaluate(pairs, TRUTH) == evaluate(mapping, TRUTH)
    assert evaluate(iter(pairs), TRUTH).precision == pytest.approx(0.5)


def test_shared_junk_and_unknown_identifiers_are_not_scored() -> None:
    clean = {"prf_a": ["email:ann@gmail.com", "user_id:U1"], "prf_b": ["user_id:U2"]}
    noisy = {
        "prf_a": [*clean["prf_a"], "device_id:tablet-1", "email:test@test.com", "cookie_id:zz"],
        "prf_b": ["user_id:U2"],
    }
    assert evaluate(noisy, TRUTH).precision == evaluate(clean, TRUTH).precision == 1.0
    assert evaluate(noisy, TRUTH).recall == evaluate(clean, TRUTH).recall
    assert evaluate(noisy, TRUTH).scored == 3
    assert evaluate(noisy, TRUTH).largest_profile == 5


def test_an_identifier_in_two_profiles_is_refused() -> None:
    with pytest.raises(ValueError, match=r"email:ann@gmail\.com"):
        evaluate({"a": ["email:ann@gmail.com"], "b": ["email:ann@gmail.com"]}, TRUTH)


def test_an_empty_partition_has_nothing_wrong() -> None:
    quality = evaluate({}, TRUTH)
    assert (quality.precision, quality.recall, quality.profiles, quality.largest_profile) == (
        1.0,
        1.0,
        0,
        0,
    )
    assert set(quality.to_dict()) >= {"precision", "recall", "f1", "profiles", "largest_profile"}


def test_pair_counts_agree_with_enumerating_every_pair() -> None:
    rng = random.Random(3)
    for _ in range(25):
        keys = [f"k:{n}" for n in range(rng.randint(2, 60))]
        truth = {k: rng.choice(["p1", "p2", "p3", "p4", "*shared", "*junk"]) for k in keys}
        partition = [(k, f"prf_{rng.randint(1, 6)}") for k in keys]
        scored = [(k, profile) for k, profile in partition if not truth[k].startswith("*")]
        predicted = {(a, b) for (a, pa), (b, pb) in combinations(scored, 2) if pa == pb}
        true = {(a, b) for (a, _), (b, _) in combinations(scored, 2) if truth[a] == truth[b]}
        quality = evaluate(partition, truth)
        assert quality.predicted_pairs == len(predicted)
        assert quality.true_pairs == len(true)
        assert quality.correct_pairs == len(predicted & true)


def _observation(n: int, *identifiers: tuple[str, str], **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"o{n}",
        "source": "app",
        "observed_at": "2025-01-01T00:00:00Z",
        "identifiers": [{"type": t, "value": v} for t, v in identifiers],
    }
    item.update(extra)
    return item


OBSERVATIONS = [
    _observation(1, ("device_id", "tablet-1"), ("user_id", "U1")),
    _observation(2, ("device_id", "tablet-1"), ("user_id", "U2")),
    _observation(3, ("email", "Ann@Gmail.com"), ("user_id", "U1")),
    _observation(4, ("email", "bob@yahoo.com"), ("email", "test@test.com")),
    _observation(5, ("phone", "(415) 555-2671"), ("email", "TEST@test.com")),
    _observation(6, ("email", "ann@gmail.com"), ("cookie_id", "c-9")),
]


def test_the_naive_baseline_merges_through_shared_and_junk_identifiers() -> None:
    registry = IdentifierRegistry.default()
    baseline = connected_components_baseline(OBSERVATIONS, registry)
    sizes = sorted(len(keys) for keys in baseline.values())
    assert sizes == [3, 5]  # tablet joins U1 and U2; test@test.com joins bob and a phone
    truth = {**TRUTH, "cookie_id:c-9": "p1"}
    quality = evaluate(baseline, truth)
    # {U1, U2, ann, c-9}: 6 pairs, 3 of them p1's; {bob, phone}: 1 pair, wrong
    assert quality.predicted_pairs == 7
    assert quality.precision == pytest.approx(3 / 7)


def test_the_ideal_partition_cuts_shared_and_junk_identifiers_out() -> None:
    registry = IdentifierRegistry.default()
    truth = {**TRUTH, "cookie_id:c-9": "p1"}
    ideal = ideal_partition(OBSERVATIONS, registry, truth)
    assert sorted(sorted(keys) for keys in ideal.values()) == [
        ["cookie_id:c-9", "email:ann@gmail.com", "user_id:U1"],
        ["email:bob@yahoo.com"],
        ["phone:+14155552671"],
        ["user_id:U2"],
    ]
    # p1: 3 of its 4 identifiers together (3 of 6 pairs); p2: 0 of 1 pair
    assert reachable_recall(OBSERVATIONS, registry, truth) == pytest.approx(3 / 7)


def test_baselines_skip_the_observations_the_service_rejects() -> None:
    registry = IdentifierRegistry.default()
    observations = [
        _observation(1, ("email", "ann@gmail.com"), ("user_id", "U1")),
        {"id": "o2", "source": "app", "identifiers": [{"type": "user_id", "value": "U1"}]},
        _observation(3, ("email", "bob@gmail"), ("user_id", "U2")),
    ]
    baseline = connected_components_baseline(observations, registry)
    assert list(baseline.values()) == [["email:ann@gmail.com", "user_id:U1"]]
