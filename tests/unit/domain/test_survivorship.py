"""Survivorship: which observed value of an attribute a golden profile shows."""

from __future__ import annotations

import itertools
import json
import random

import pytest

from datora_graph.domain.survivorship import (
    MAX_CANDIDATES_PER_ATTRIBUTE,
    AttributeCandidate,
    Candidates,
    SurvivorshipRule,
    SurvivorshipRules,
    add_candidates,
    candidates_from_json,
    candidates_to_json,
    canonical_json,
)


def seen(day: int) -> str:
    return f"2026-05-{day:02d}T10:00:00.000000Z"


def candidate(value: object, source: str = "web", n: int = 1, day: int = 1) -> AttributeCandidate:
    """A candidate seen `n` times by `source`, first and last on `day`."""
    return AttributeCandidate(canonical_json(value), source, n, seen(day), seen(day))


def chosen(rule: SurvivorshipRule, pool: list[AttributeCandidate]) -> object:
    """The value `rule` picks, checked to be the same for every order of the pool."""
    picks = {_value(rule.choose(order)) for order in itertools.permutations(pool)}
    assert len(picks) == 1, f"the choice depends on the order: {picks}"
    return picks.pop()


def _value(pick: AttributeCandidate | None) -> object:
    assert pick is not None
    return json.loads(pick.value)


# -- the rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pool", "expected"),
    [
        pytest.param([candidate("Ann", day=1), candidate("Anne", day=2)], "Anne", id="latest"),
        pytest.param(
            [candidate("Ann", n=9, day=1), candidate("Anne", n=1, day=2)], "Anne", id="not-most"
        ),
        pytest.param(
            [candidate("Ann", n=1, day=2), candidate("Anne", n=3, day=2)],
            "Anne",
            id="tie-more-often",
        ),
        pytest.param(
            [candidate("Ann", day=2), candidate("Bea", day=2), candidate("Ann", "crm", day=1)],
            "Bea",
            id="full-tie-larger-value",
        ),
    ],
)
def test_most_recent_takes_the_value_seen_last(
    pool: list[AttributeCandidate], expected: str
) -> None:
    assert chosen(SurvivorshipRule("most_recent"), pool) == expected


@pytest.mark.parametrize(
    ("pool", "expected"),
    [
        pytest.param(
            [candidate("Ann", n=3, day=1), candidate("Anne", n=1, day=5)], "Ann", id="most-often"
        ),
        pytest.param(
            [candidate("Ann", n=2, day=1), candidate("Anne", n=2, day=5)],
            "Anne",
            id="tie-most-recent",
        ),
        pytest.param(
            [candidate("Ann", n=2, day=5), candidate("Bea", n=2, day=5)],
            "Bea",
            id="full-tie-larger-value",
        ),
    ],
)
def test_most_frequent_takes_the_value_seen_most_often(
    pool: list[AttributeCandidate], expected: str
) -> None:
    assert chosen(SurvivorshipRule("most_frequent"), pool) == expected


def test_most_frequent_counts_a_value_over_all_its_sources() -> None:
    """ "The value seen most often": Ann, seen 4 times by two sources, beats Anna seen 3 times."""
    pool = [
        candidate("Ann", "crm", n=2, day=1),
        candidate("Ann", "web", n=2, day=1),
        candidate("Anna", "web", n=3, day=2),
    ]

    assert chosen(SurvivorshipRule("most_frequent"), pool) == "Ann"


@pytest.mark.parametrize(
    ("sources", "pool", "expected"),
    [
        pytest.param(
            ("crm", "shop"),
            [candidate("Ann", "crm", day=1), candidate("Annie", "shop", day=5)],
            "Ann",
            id="trusted-first",
        ),
        pytest.param(
            ("crm", "shop"),
            [
                candidate("Ann", "crm", day=1),
                candidate("Anne", "crm", day=3),
                candidate("Annie", "shop", day=5),
            ],
            "Anne",
            id="latest-of-trusted",
        ),
        pytest.param(
            ("crm", "shop"),
            [candidate("Annie", "shop", day=1), candidate("Ann", "web", day=5)],
            "Annie",
            id="listed-beats-unlisted",
        ),
        pytest.param(
            ("crm",),
            [candidate("Annie", "app", day=1), candidate("Ann", "web", day=5)],
            "Ann",
            id="unlisted-by-recency",
        ),
        pytest.param(
            (),
            [candidate("Annie", "app", day=1), candidate("Ann", "web", day=5)],
            "Ann",
            id="no-sources-is-most-recent",
        ),
    ],
)
def test_source_priority_takes_the_most_trusted_source(
    sources: tuple[str, ...], pool: list[AttributeCandidate], expected: str
) -> None:
    assert chosen(SurvivorshipRule("source_priority", sources), pool) == expected


@pytest.mark.parametrize("rule", ["most_recent", "most_frequent", "source_priority"])
def test_no_candidates_choose_nothing(rule: str) -> None:
    assert SurvivorshipRule(rule).choose([]) is None  # type: ignore[arg-type]


def test_golden_decodes_values_and_uses_the_rule_of_each_attribute() -> None:
    rules = SurvivorshipRules(
        default=SurvivorshipRule("most_recent"),
        per_attribute={"last_name": SurvivorshipRule("source_priority", ("crm",))},
    )
    candidates: Candidates = {
        "first_name": [candidate("Ann", "crm", day=1), candidate("Annie", "web", day=2)],
        "last_name": [candidate("Lee", "crm", day=1), candidate("Li", "web", day=2)],
        "preferences": [candidate({"sms": True, "channels": ["email"]}, day=1)],
        "score": [candidate(0, day=1)],
        "empty": [],
    }

    assert rules.golden(candidates) == {
        "first_name": "Annie",
        "last_name": "Lee",
        "preferences": {"sms": True, "channels": ["email"]},
        "score": 0,
    }


# -- candidates ---------------------------------------------------------------------------------
def test_the_same_value_from_the_same_source_is_counted_once_more() -> None:
    into: Candidates = {"first_name": [candidate("Ann", "crm", n=2, day=3)]}

    add_candidates(
        into,
        {
            "first_name": [candidate("Ann", "crm", n=1, day=1), candidate("Ann", "web", day=5)],
            "city": [candidate("Oslo")],
        },
    )

    ann_crm = AttributeCandidate(canonical_json("Ann"), "crm", 3, seen(1), seen(3))
    assert sorted(into["first_name"]) == sorted([ann_crm, candidate("Ann", "web", day=5)])
    assert into["city"] == [candidate("Oslo")]


def test_the_cap_forgets_the_least_recently_seen_values_one_at_a_time() -> None:
    into: Candidates = {}
    for day in range(1, MAX_CANDIDATES_PER_ATTRIBUTE + 5):
        add_candidates(into, {"city": [candidate(f"city-{day:02d}", day=day)]})

    kept = sorted(c.value for c in into["city"])
    assert len(kept) == MAX_CANDIDATES_PER_ATTRIBUTE
    assert kept == [f'"city-{day:02d}"' for day in range(5, MAX_CANDIDATES_PER_ATTRIBUTE + 5)]


def test_the_cap_keeps_the_most_recent_of_a_long_list_in_any_order() -> None:
    days = list(range(1, MAX_CANDIDATES_PER_ATTRIBUTE + 5))
    random.Random(7).shuffle(days)
    into: Candidates = {}

    add_candidates(into, {"city": [candidate(f"city-{day:02d}", day=day) for day in days]})

    kept = sorted(c.value for c in into["city"])
    assert kept == [f'"city-{day:02d}"' for day in range(5, MAX_CANDIDATES_PER_ATTRIBUTE + 5)]


def test_a_list_with_repeats_is_folded_even_into_an_empty_profile() -> None:
    into: Candidates = {}

    add_candidates(into, {"city": [candidate("Oslo", n=1, day=1), candidate("Oslo", n=2, day=4)]})

    assert into["city"] == [AttributeCandidate('"Oslo"', "web", 3, seen(1), seen(4))]


@pytest.mark.parametrize("newer_into_older", [False, True])
def test_a_merge_of_two_full_lists_keeps_the_most_recent(newer_into_older: bool) -> None:
    size = MAX_CANDIDATES_PER_ATTRIBUTE
    older = [candidate(f"old-{n:02d}", day=n) for n in range(1, size + 1)]
    newer = [candidate(f"new-{n:02d}", day=size + n) for n in range(1, size + 1)]
    into, extra = (list(older), newer) if newer_into_older else (list(newer), older)
    profile: Candidates = {"city": into}

    add_candidates(profile, {"city": extra})

    assert sorted(profile["city"]) == sorted(newer)


def test_candidates_survive_their_json_form() -> None:
    candidates: Candidates = {
        "first_name": [candidate("Ånn", "crm", n=2, day=1), candidate("Ann", "web", day=2)],
        "preferences": [candidate({"b": 1, "a": [None, 1.5]}, day=3)],
    }

    assert candidates_from_json(candidates_to_json(candidates)) == candidates
    assert candidates_from_json(None) == {}
    assert candidates_from_json("") == {}


def test_canonical_json_spells_equal_values_alike() -> None:
    assert canonical_json({"b": 1, "a": "Å"}) == canonical_json({"a": "Å", "b": 1})
    assert canonical_json({"b": 1, "a": "Å"}) == '{"a":"Å","b":1}'
