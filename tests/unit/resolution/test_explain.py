"""Explain and split proposals on a profile's evidence subgraph (pure, networkx)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.steward import EvidenceEdge
from datora_graph.resolution.explain import components, explain, split_proposals, why_merged

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def edge(
    a: str, b: str, count: int = 1, source: str = "crm", *, status: str = "active", day: int = 0
) -> EvidenceEdge:
    a, b = sorted((a, b))
    moment = T0 + timedelta(days=day)
    return EvidenceEdge(a, b, source, count, moment, moment, "observed", status)


# ann's email and cookie, a kiosk device shared with bob, bob's email and phone
KIOSK = [
    edge("email:ann", "cookie_id:c1", 3),
    edge("cookie_id:c1", "device_id:kiosk", 1),
    edge("device_id:kiosk", "email:bob", 1),
    edge("email:bob", "phone:1", 4),
    edge("email:ann", "phone:1", 1, status="held"),
]
MEMBERS = ["email:ann", "cookie_id:c1", "device_id:kiosk", "email:bob", "phone:1"]


def test_explain_walks_active_evidence_only_shortest_first() -> None:
    [path] = explain(KIOSK, "email:ann", "phone:1", MEMBERS)

    assert path.keys == ("email:ann", "cookie_id:c1", "device_id:kiosk", "email:bob", "phone:1")
    assert [link.count for link in path.links] == [3, 1, 1, 4]
    assert path.links[0].sources == ["crm"]


def test_explain_keeps_every_source_of_a_link_and_bounds_the_paths() -> None:
    edges = [*KIOSK, edge("email:ann", "cookie_id:c1", 2, "web"), edge("email:ann", "email:bob")]

    paths = explain(edges, "email:ann", "phone:1", MEMBERS, limit=1)

    assert len(paths) == 1
    assert paths[0].keys == ("email:ann", "email:bob", "phone:1")
    both = explain(edges, "email:ann", "cookie_id:c1", MEMBERS)[0].links[0]
    assert [e.source for e in both.evidence] == ["crm", "web"]
    assert both.count == 5


def test_explain_names_an_identifier_outside_the_profile() -> None:
    with pytest.raises(InvalidInput) as caught:
        explain(KIOSK, "email:ann", "email:zed", MEMBERS)
    assert caught.value.field == "b"


def test_why_merged_is_the_heaviest_spanning_tree() -> None:
    edges = [*KIOSK, edge("email:ann", "email:bob", 1, day=-5)]

    tree = why_merged(edges, MEMBERS)

    pairs = {(link.a, link.b) for link in tree}
    assert len(tree) == len(MEMBERS) - 1
    assert ("cookie_id:c1", "email:ann") in pairs
    assert ("email:bob", "phone:1") in pairs
    # of the three weight-1 links closing the cycle, the oldest one is left out
    assert ("email:ann", "email:bob") not in pairs


def test_split_proposals_name_the_bridges_between_two_identifiers() -> None:
    proposals = split_proposals(KIOSK, MEMBERS, "email:ann", "email:bob")

    assert {p.kind for p in proposals} == {"bridge"}
    cut = [(p.links[0].a, p.links[0].b) for p in proposals]
    assert ("cookie_id:c1", "device_id:kiosk") in cut
    kiosk_cut = proposals[cut.index(("cookie_id:c1", "device_id:kiosk"))]
    assert kiosk_cut.groups == (
        ("cookie_id:c1", "email:ann"),
        ("device_id:kiosk", "email:bob", "phone:1"),
    )


def test_without_a_bridge_a_minimum_cut_is_proposed() -> None:
    square = [edge("a:1", "a:2"), edge("a:2", "a:3"), edge("a:3", "a:4"), edge("a:4", "a:1")]

    [proposal] = split_proposals(square, ["a:1", "a:2", "a:3", "a:4"], "a:1", "a:3")

    assert proposal.kind == "minimum_cut"
    assert len(proposal.links) == 2
    assert len(proposal.groups) == 2


def test_components_drop_the_cut_pairs() -> None:
    parts = components(KIOSK, MEMBERS, [("device_id:kiosk", "cookie_id:c1")])

    assert parts == [("cookie_id:c1", "email:ann"), ("device_id:kiosk", "email:bob", "phone:1")]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 5)), min_size=1, max_size=20
    )
)
def test_why_merged_spans_every_component(raw: list[tuple[int, int, int]]) -> None:
    edges = [edge(f"k:{x}", f"k:{y}", n) for x, y, n in raw if x != y]
    members = sorted({f"k:{n}" for x, y, _ in raw for n in (x, y)})
    graph = nx.Graph([(e.a, e.b) for e in edges])
    graph.add_nodes_from(members)

    tree = why_merged(edges, members)

    forest = nx.Graph([(link.a, link.b) for link in tree])
    forest.add_nodes_from(members)
    assert nx.is_forest(forest)
    assert nx.number_connected_components(forest) == nx.number_connected_components(graph)
