"""An operation that could return more than MAX_NODES nodes is refused before it runs, and a
document whose fragments spread out past MAX_SPREAD_FIELDS is refused before it is validated;
both over a real server. Limits of one list at a time are in test_limits_and_errors."""

from __future__ import annotations

import httpx
from graphql import parse

from datora_graph.api.graphql.limits import MAX_SPREAD_FIELDS
from datora_graph.api.graphql.query_cost import (
    MAX_NODES,
    count_nodes,
    within_whatever_the_variables,
)
from datora_graph.api.graphql.schema import schema

from .conftest import GraphQLClient
from .shoppers import define, shoppers

JOURNEYS = """query ($a: Int!, $b: Int!, $c: Int!) { profiles(first: 100) { edges { node {
  a: journey(first: $a) { edges { node { id } } }
  b: journey(first: $b) { edges { node { id } } }
  c: journey(first: $c) { edges { node { id } } } } } } }"""

NESTED_SEGMENTS = """{ segments { name members(first: 100) { edges { node { id
  segments { name members(first: 100) { edges { node { id } } } } } } } } }"""


def test_an_operation_at_the_node_limit_runs_and_one_past_it_is_refused(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    shoppers(client)
    assert MAX_NODES == 100 + 100 * (100 + 100 + 49), "the pages below add up to the limit"

    at_limit = graphql.data(JOURNEYS, a=100, b=100, c=49)
    answer = graphql.post(JOURNEYS, a=100, b=100, c=50)

    assert len(at_limit["profiles"]["edges"]) == 8
    assert answer.get("data") is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert error["message"] == (
        f"the query could return {MAX_NODES + 100:,} nodes (each page counts its `first` for "
        f"each parent), more than the limit of {MAX_NODES:,}; ask for smaller pages or fewer "
        "nested lists"
    )


def test_a_page_size_left_out_counts_the_default_of_the_argument_or_the_variable(
    graphql: GraphQLClient,
) -> None:
    """journey's `first` defaults to 50: 100 + 100 x (4 x 50 + 49) is within the limit;
    with the fifth page at its default of 50 it is past."""
    five = " ".join(f"j{n}: journey {{ edges {{ node {{ id }} }} }}" for n in range(5))
    defaults = f"{{ profiles(first: 100) {{ edges {{ node {{ {five} }} }} }} }}"

    def by_variable(default: int) -> str:
        return defaults.replace("{ profiles", f"query ($n: Int! = {default}) {{ profiles").replace(
            "j4: journey", "j4: journey(first: $n)"
        )

    assert graphql.data(by_variable(49)) == {"profiles": {"edges": []}}
    assert "could return 25,100 nodes" in graphql.error(by_variable(50))["message"]
    assert "could return 25,100 nodes" in graphql.error(defaults)["message"]
    assert graphql.data(by_variable(50).replace("query ($n", "query Q($n"), n=49)


def test_lists_of_segments_count_the_segments_there_are(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    """With 3 segments: 3 + 3 x 100 + 300 x 3 + 900 x 100 = 91,203 nodes. With none, the same
    query asks for nothing and runs."""
    shoppers(client)
    assert graphql.data(NESTED_SEGMENTS) == {"segments": []}
    for name in ("A", "B", "C"):
        define(graphql, name, {"all": []})

    error = graphql.error(NESTED_SEGMENTS)

    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert "could return 91,203 nodes" in error["message"]
    assert "each list of segments the 3 segments there are" in error["message"]
    one_level = graphql.data("{ segments { name members(first: 100) { edges { node { id } } } } }")
    assert [len(s["members"]["edges"]) for s in one_level["segments"]] == [8, 8, 8]


def test_fragments_count_where_they_are_spread(graphql: GraphQLClient) -> None:
    query = """query { ...Pages ...Pages ...Pages }
      fragment Pages on Query { profiles(first: 100) { edges { node {
        journey(first: 100) { edges { node { id } } } } } } }"""

    error = graphql.error(query)

    assert "could return 30,300 nodes" in error["message"]


def test_a_document_whose_fragments_spread_out_past_the_limit_is_refused_at_once(
    graphql: GraphQLClient,
) -> None:
    """25 fragments, each spreading the next twice: 2^25 fields. Strawberry's depth and alias
    limiters followed every spread, for minutes; the client's timeout here is 30 s."""
    levels = 25
    fragments = " ".join(
        f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)
    )
    query = f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"

    answer = graphql.post(query)

    assert answer.get("data") is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert f"more than the limit of {MAX_SPREAD_FIELDS:,}" in error["message"]
    assert f"come to {2**26 - 1 + 2**25:,} fields" in error["message"]


def test_a_query_within_the_limit_whatever_its_variables_is_remembered_as_such() -> None:
    """Most requests repeat a few query texts: a text that stays within the limit with every
    variable page at 100, and lists no segments, skips the count on later requests."""
    pages = "query ($n: Int!) { profiles(first: 100) { edges { node { %s } } } }"
    one = pages % "journey(first: $n) { edges { node { id } } }"
    three = pages % " ".join(
        f"j{k}: journey(first: $n) {{ edges {{ node {{ id }} }} }}" for k in range(3)
    )
    listing = "{ segments { id } }"
    graph = schema._schema

    assert count_nodes(graph, parse(one), None, {"n": 10}).nodes == 100 + 100 * 10
    assert count_nodes(graph, parse(one), None, {"n": 10}, largest=True).nodes == 10_100
    assert within_whatever_the_variables(graph, one, None, parse(one))
    assert not within_whatever_the_variables(graph, three, None, parse(three)), "30,100 at most"
    assert not within_whatever_the_variables(graph, listing, None, parse(listing))
