"""`add_candidate` (one candidate, the engine's hot path) leaves exactly what `add_candidates`
leaves, including past the bound on candidates per attribute."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from datora_graph.domain.survivorship import (
    MAX_CANDIDATES_PER_ATTRIBUTE,
    AttributeCandidate,
    Candidates,
    RuleName,
    SurvivorshipRule,
    SurvivorshipRules,
    add_candidate,
    add_candidates,
)

one = st.builds(
    AttributeCandidate,
    st.sampled_from(['"Ann"', '"Bo"', '"Cy"', "1", "null"] + [f'"v{n}"' for n in range(20)]),
    st.sampled_from(["crm", "web", "shop"]),
    st.integers(1, 3),
    st.sampled_from([f"2026-05-{d:02d}T00:00:00.000000Z" for d in range(1, 29)]),
    st.just(""),
).map(lambda c: c._replace(last_seen=c.first_seen))
steps = st.lists(st.tuples(st.sampled_from(["city", "first_name"]), one), max_size=80)


@given(steps)
def test_one_at_a_time_is_the_same_as_through_add_candidates(added: list[tuple[str, Any]]) -> None:
    single: Candidates = {}
    batch: Candidates = {}
    for name, candidate in added:
        before = {n: list(values) for n, values in single.items()}
        shared = dict(single)
        add_candidate(single, name, candidate)
        add_candidates(batch, {name: [candidate]})
        assert single == batch
        assert shared == before  # lists are replaced, never changed in place
        assert len(single[name]) <= MAX_CANDIDATES_PER_ATTRIBUTE


@given(st.lists(one, min_size=1, max_size=1))
def test_a_single_candidate_is_golden_under_every_rule(pool: list[AttributeCandidate]) -> None:
    names: tuple[RuleName, ...] = ("most_recent", "most_frequent", "source_priority")
    for rule in names:
        rules = SurvivorshipRules(default=SurvivorshipRule(rule, ("web",)))
        assert SurvivorshipRule(rule, ("web",)).choose(pool) == pool[0]
        assert rules.golden({"city": pool}) == {"city": json.loads(pool[0].value)}
