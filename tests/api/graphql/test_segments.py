"""Segments over GraphQL: define, evaluate, page through members, change and delete; the answers
agree with the REST export and with a brute-force count over the profiles."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tests.conftest import unique

from ..payloads import obs
from .conftest import GraphQLClient
from .shoppers import DEFINE, define, shoppers

TWICE_WITH_EMAIL = {
    "all": [{"event": {"type": "purchase", "at_least": 2}}, {"identifier": "email"}]
}
MEMBERS = """
query ($id: ID!, $first: Int!, $after: String) {
  segment(id: $id) {
    size
    members(first: $first, after: $after) {
      edges { cursor node { id } } pageInfo { endCursor hasNextPage hasPreviousPage }
    }
  }
}"""
PROFILES = """
query ($first: Int!, $after: String, $where: JSON) {
  profiles(first: $first, after: $after, where: $where) {
    edges { cursor node { id } } pageInfo { endCursor hasNextPage }
  }
}"""


def all_pages(graphql: GraphQLClient, query: str, path: str, **variables: Any) -> list[str]:
    ids: list[str] = []
    after = None
    for _ in range(100):
        answer = graphql.data(query, first=2, after=after, **variables)
        page = answer[path] if path == "profiles" else answer["segment"]["members"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the cursor never reached the last page")


def test_a_segment_has_the_members_a_brute_force_count_finds(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    purchases = shoppers(client)
    with_email = {
        p["id"]
        for p in (client.get(f"/v1/profiles/{i}").json() for i in purchases)
        if any(i["type"] == "email" for i in p["identifiers"])
    }
    expected = sorted(i for i, n in purchases.items() if n >= 2 and i in with_email)

    segment = define(graphql, "Bought twice", TWICE_WITH_EMAIL)
    members = all_pages(graphql, MEMBERS, "members", id=segment["id"])

    assert members == expected
    assert len(expected) == 2
    assert segment["size"] == 2
    assert segment["share"] == pytest.approx(2 / 8)
    assert segment["definition"] == {
        "all": [{"event": {"type": "purchase", "at_least": 2}}, {"identifier": "email"}]
    }
    assert (segment["name"], segment["description"], segment["purpose"]) == (
        "Bought twice",
        "bought twice",
        None,
    )
    export = client.get(
        f"/v1/segments/{segment['id']}/export", params={"identifier": "email", "format": "jsonl"}
    )
    assert sorted(json.loads(line)["profile_id"] for line in export.text.splitlines()) == expected


def test_every_member_cursor_resumes_right_after_its_profile(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    shoppers(client)
    segment = define(graphql, "Everyone", {"all": []})

    page = graphql.data(MEMBERS, id=segment["id"], first=100)["segment"]["members"]
    ids = [edge["node"]["id"] for edge in page["edges"]]

    assert ids == sorted(ids)
    assert len(ids) == 8
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    for position, edge in enumerate(page["edges"]):
        rest = graphql.data(MEMBERS, id=segment["id"], first=100, after=edge["cursor"])
        assert [e["node"]["id"] for e in rest["segment"]["members"]["edges"]] == ids[position + 1 :]


def test_profiles_where_is_the_segment_without_saving_it(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    purchases = shoppers(client)
    segment = define(graphql, "Bought twice", TWICE_WITH_EMAIL)

    everyone = all_pages(graphql, PROFILES, "profiles")
    filtered = all_pages(graphql, PROFILES, "profiles", where=TWICE_WITH_EMAIL)
    preview = graphql.data(
        """query ($d: JSON!) { previewSegment(definition: $d, first: 5) {
             definition size share members { edges { node { id } } } } }""",
        d=TWICE_WITH_EMAIL,
    )["previewSegment"]

    assert everyone == sorted(purchases)
    assert filtered == all_pages(graphql, MEMBERS, "members", id=segment["id"])
    assert preview["size"] == segment["size"] == len(filtered)
    assert [e["node"]["id"] for e in preview["members"]["edges"]] == filtered
    assert preview["definition"] == segment["definition"]


def test_profiles_lists_people_not_junk(client: httpx.Client, graphql: GraphQLClient) -> None:
    client.post("/v1/observations", json={"observations": [obs("o1", "email:test@test.com")]})
    client.post("/v1/observations", json={"observations": [obs("o2", "email:ann@acme.io")]})

    ids = all_pages(graphql, PROFILES, "profiles")

    assert ids == [client.get("/v1/profiles?identifier=email:ann@acme.io").json()["id"]]


def test_a_profile_knows_its_segments(client: httpx.Client, graphql: GraphQLClient) -> None:
    purchases = shoppers(client)
    twice = define(graphql, "Bought twice", TWICE_WITH_EMAIL)
    anyone = define(graphql, "Anyone with an email", {"identifier": "email"})
    member = next(i for i, n in purchases.items() if n == 3)

    profile = graphql.data(
        "query ($id: ID!) { profile(id: $id) { segments { id name } } }", id=member
    )["profile"]

    assert profile["segments"] == [
        {"id": anyone["id"], "name": "Anyone with an email"},
        {"id": twice["id"], "name": "Bought twice"},
    ]


def test_segments_can_be_changed_and_deleted(client: httpx.Client, graphql: GraphQLClient) -> None:
    shoppers(client)
    segment = define(graphql, "Bought", {"event": {"type": "purchase"}}, purpose="email_marketing")

    changed = graphql.data(
        """mutation ($id: ID!, $d: JSON!) { updateSegment(id: $id, name: "Bought twice",
             definition: $d) { id name definition purpose size } }""",
        id=segment["id"],
        d=TWICE_WITH_EMAIL,
    )["updateSegment"]
    unpurposed = graphql.data(
        "mutation ($id: ID!) { updateSegment(id: $id, purpose: null) { purpose name } }",
        id=segment["id"],
    )["updateSegment"]
    listed = graphql.data("{ segments { id name size } }")["segments"]
    deleted = graphql.data('mutation { deleteSegment(id: "Bought twice") }')["deleteSegment"]
    gone = graphql.error("query ($id: ID!) { segment(id: $id) { id } }", id=segment["id"])

    assert segment["size"] == 6
    assert (changed["id"], changed["name"], changed["size"]) == (segment["id"], "Bought twice", 2)
    assert changed["purpose"] == "email_marketing"
    assert unpurposed == {"purpose": None, "name": "Bought twice"}
    assert listed == [{"id": segment["id"], "name": "Bought twice", "size": 2}]
    assert deleted == segment["id"], "deleted by its name, answered by its ID"
    assert gone["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"all": [{"event": {"type": "purchase", "within_days": 0}}]}, "definition.all[0]"),
        ({"attribute": "city", "near": "Leeds"}, "definition.near"),
        ({"identifier": "fax"}, "definition.identifier"),
        ({"every": []}, "definition.every"),
    ],
)
def test_an_invalid_definition_names_its_bad_part(
    graphql: GraphQLClient, definition: Any, field: str
) -> None:
    error = graphql.error(DEFINE, name="Bad", definition=definition)

    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"].startswith(field)
    assert graphql.data("{ segments { id } }") == {"segments": []}


def test_a_taken_name_is_a_conflict(module_graphql: GraphQLClient) -> None:
    name = unique("VIP")
    define(module_graphql, name, {"identifier": "email"})

    error = module_graphql.error(DEFINE, name=name, definition={"identifier": "phone"})

    assert error["extensions"]["code"] == "CONFLICT"
    assert name in error["message"]


@pytest.mark.parametrize(
    ("name", "description", "field"),
    [
        ("\u0000", "", "name"),
        ("VIP\nbuyers", "", "name"),
        ("VIP\u009b buyers", "", "name"),
        ("   ", "", "name"),
        ("x" * 101, "", "name"),
        ("VIP", "bell\u0007", "description"),
        ("VIP", "x" * 2001, "description"),
    ],
)
def test_a_name_or_description_a_report_could_not_show_is_refused(
    graphql: GraphQLClient, name: str, description: str, field: str
) -> None:
    query = """mutation ($name: String!, $description: String!) {
        defineSegment(name: $name, description: $description, definition: {all: []}) { id } }"""

    error = graphql.error(query, name=name, description=description)

    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}
    assert graphql.data("{ segments { id } }") == {"segments": []}


def test_a_description_keeps_its_line_breaks_and_tabs(module_graphql: GraphQLClient) -> None:
    query = """mutation ($name: String!, $description: String!) {
        defineSegment(name: $name, description: $description, definition: {all: []})
        { description } }"""

    answer = module_graphql.data(
        query, name=unique("VIP"), description="Big spenders.\n\tCheck monthly."
    )

    assert answer["defineSegment"]["description"] == "Big spenders.\n\tCheck monthly."


def test_a_lone_surrogate_escape_in_the_query_text_is_refused_before_anything_runs(
    graphql: GraphQLClient,
) -> None:
    error = graphql.error(r'mutation { defineSegment(name: "VIP \uD800", definition: {}) { id } }')

    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "Invalid Unicode escape sequence" in error["message"]
    assert graphql.data("{ segments { id } }") == {"segments": []}
