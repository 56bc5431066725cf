"""Properties of splits over random evidence graphs, on the real store and engine: a split
leaves connected parts with no active evidence between them, and its undo restores exactly."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from datora_graph.config import Settings
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import GoldenProfile
from datora_graph.domain.steward import GraphSlice
from datora_graph.resolution.explain import components
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.steward_rows import slice_to_json

SIZE = 7


def observation(n: int, x: int, y: int) -> dict[str, Any]:
    return {
        "id": f"o{n}",
        "source": ("crm", "web")[n % 2],
        "observed_at": f"2026-05-01T10:{n:02d}:00Z",
        "identifiers": [
            {"type": "cookie_id", "value": f"c{x}"},
            {"type": "cookie_id", "value": f"c{y}"},
        ],
        "attributes": {"first_name": f"N{n % 3}"},
    }


edges = st.lists(
    st.tuples(st.integers(0, SIZE - 1), st.integers(0, SIZE - 1)).filter(lambda e: e[0] != e[1]),
    min_size=2,
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges, st.data())
def test_a_split_leaves_connected_parts_and_its_undo_restores_exactly(
    links: list[tuple[int, int]], data: st.DataObject
) -> None:
    with ingested(links) as (identity, stewards, profile, before):
        store = identity.store
        members = before.members(profile.id)
        active = sorted(
            {(e.a, e.b) for e in before.evidence if e.status == "active" and e.b in members}
        )
        assume(len(active) >= 1)
        drawn = data.draw(st.lists(st.sampled_from(active), min_size=1, unique=True))
        # Mostly the pairs that separate something: a pair whose ends stay in one part is
        # refused, and a split of random pairs would be refused for it more often than not.
        parts = components(before.evidence, members, drawn)
        part_of = {key: n for n, part in enumerate(parts) for key in part}
        crossing = [(a, b) for a, b in drawn if part_of[a] != part_of[b]]
        cut = drawn if data.draw(st.booleans()) or not crossing else crossing
        try:
            decision = stewards.split_profile(profile.id, cut_edges=cut, reason="p", actor="t")
        except InvalidInput:
            event("refused")
            assert len(parts) == 1 or any(part_of[a] == part_of[b] for a, b in cut)
            return
        event("split")

        parts = {pid: store.profile_slice([pid]).members(pid) for pid in decision.profiles_after}
        assert sorted(k for keys in parts.values() for k in keys) == sorted(members)
        assert profile.id in parts
        owner = {k: pid for pid, keys in parts.items() for k in keys}
        after = store.profile_slice(decision.profiles_after)
        for e in after.evidence:
            if e.a in owner and e.b in owner and owner[e.a] != owner[e.b]:
                assert e.status != "active"
        for pid, keys in parts.items():
            assert len(components(after.evidence, keys)) == 1, pid

        stewards.undo_decision(decision.id, reason="p", actor="t")

        assert slice_to_json(store.profile_slice([profile.id])) == slice_to_json(before)
        assert identity.store.resolve_profile_ids(list(parts)) == {profile.id: profile.id}


@contextmanager
def ingested(
    links: list[tuple[int, int]], **settings: Any
) -> Iterator[tuple[IdentityService, StewardService, GoldenProfile, GraphSlice]]:
    """A fresh store holding `links`: the service, its stewards, the profile of the first
    link's first cookie and that profile's slice."""
    with tempfile.TemporaryDirectory() as folder:
        config = Settings(db=Path(folder) / "p.db", **settings)
        store = SqliteStore(config.db)
        try:
            identity = IdentityService(store, config)
            identity.ingest_observations([observation(n, x, y) for n, (x, y) in enumerate(links)])
            profile = identity.lookup(f"cookie_id:c{links[0][0]}")
            yield identity, StewardService(identity), profile, store.profile_slice([profile.id])
        finally:
            store.close()


def partition(identity: IdentityService, keys: list[str]) -> set[frozenset[str]]:
    owners = identity.store.profile_ids_for_identifiers(keys)
    groups: dict[str, set[str]] = {}
    for key, pid in owners.items():
        groups.setdefault(pid, set()).add(key)
    return {frozenset(group) for group in groups.values()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges, edges, st.data())
def test_a_split_undone_after_new_records_leaves_what_a_rebuild_without_it_gives(
    links: list[tuple[int, int]], later: list[tuple[int, int]], data: st.DataObject
) -> None:
    """Without other guards (no limits on cookies, no hub bound), a split that new records
    reached is undone by merging its parts back, and the graph is then exactly what replaying
    the log without the split gives: the connected components of all the evidence."""
    with ingested(links, hub_max_profiles=10**6) as (identity, stewards, profile, before):
        members = before.members(profile.id)
        active = sorted({(e.a, e.b) for e in before.evidence if e.status == "active"})
        cut = data.draw(st.lists(st.sampled_from(active), min_size=1, unique=True))
        try:
            split = stewards.split_profile(profile.id, cut_edges=cut, reason="p", actor="t")
        except InvalidInput:
            event("the cut leaves the profile whole")
            return
        event("split, then undone after new records")
        first = len(links)
        identity.ingest_observations(
            [observation(first + n, x, y) for n, (x, y) in enumerate(later)]
        )
        keys = [f"cookie_id:c{n}" for n in range(SIZE)]

        stewards.undo_decision(split.id, reason="p", actor="t")

        assert len({identity.lookup(k).id for k in members}) == 1
        undone = partition(identity, keys)
        graph = nx.Graph([(f"cookie_id:c{x}", f"cookie_id:c{y}") for x, y in links + later])
        assert undone == {frozenset(part) for part in nx.connected_components(graph)}
        identity.rebuild()
        assert partition(identity, keys) == undone
