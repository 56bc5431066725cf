"""A profile's journey over GraphQL: a Relay connection that agrees with REST page by page."""

from __future__ import annotations

from typing import Any, NamedTuple

import httpx
import pytest
from tests.conftest import unique

from datora_graph.api.graphql.limits import MAX_PAGE_SIZE

from ..payloads import event, moment, obs
from .conftest import GraphQLClient


@pytest.fixture(scope="module")
def client(module_client: httpx.Client) -> httpx.Client:
    """Each test reads only the journey of a person of its own: the module's tests share one
    server."""
    return module_client


@pytest.fixture(scope="module")
def graphql(module_graphql: GraphQLClient) -> GraphQLClient:
    return module_graphql


JOURNEY = """
query Journey($id: ID!, $first: Int!, $after: String, $types: [String!], $since: DateTime,
              $until: DateTime) {
  profile(id: $id) {
    journey(first: $first, after: $after, types: $types, since: $since, until: $until) {
      edges { cursor node { id type occurredAt source properties identifiers { type value } } }
      pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
    }
  }
}"""


def post(client: httpx.Client, path: str, key: str, *items: dict[str, Any]) -> None:
    response = client.post(path, json={key: list(items)})
    assert response.json()["accepted"] == len(items), response.json()


class Person(NamedTuple):
    """A profile, and the identifiers of its own that events reach it by."""

    id: str
    email: str
    cookie: str


def ann(client: httpx.Client) -> Person:
    email, cookie = f"email:{unique('ann')}@acme.io", f"cookie_id:{unique('c-1')}"
    post(client, "/v1/observations", "observations", obs(unique("o1"), email, cookie))
    profile_id: str = client.get("/v1/profiles", params={"identifier": email}).json()["id"]
    return Person(profile_id, email, cookie)


def journey(
    graphql: GraphQLClient, profile_id: str, first: int = 50, **args: Any
) -> dict[str, Any]:
    page: dict[str, Any] = graphql.data(JOURNEY, id=profile_id, first=first, **args)["profile"][
        "journey"
    ]
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


def as_rest(page: dict[str, Any]) -> dict[str, Any]:
    return {
        "events": [
            {
                "id": e["id"],
                "type": e["type"],
                "occurred_at": e["occurredAt"],
                "source": e["source"],
                "identifiers": e["identifiers"],
                "properties": e["properties"],
            }
            for e in (edge["node"] for edge in page["edges"])
        ],
        "page_info": {
            "end_cursor": page["pageInfo"]["endCursor"],
            "has_next_page": page["pageInfo"]["hasNextPage"],
        },
    }


def test_every_page_agrees_with_rest(client: httpx.Client, graphql: GraphQLClient) -> None:
    person, e, paid = ann(client), unique("e"), unique("paid")
    profile_id = person.id
    post(
        client,
        "/v1/events",
        "events",
        *[
            event(f"{e}-{n:02}", kind, person.cookie if n % 3 else person.email, at=n // 2)
            for n, kind in enumerate(["page_view", "purchase", "email_open"] * 8)
        ],
        event(paid, "purchase", person.email, at=30, revenue=42.5, items=[{"sku": "A"}]),
        event(unique("other"), "page_view", f"cookie_id:{unique('c-9')}", at=3),
    )
    after: str | None = None
    pages = 0
    while True:
        page = journey(graphql, profile_id, first=7, after=after)
        params: dict[str, Any] = {"first": 7} | ({"after": after} if after else {})
        rest = client.get(f"/v1/profiles/{profile_id}/journey", params=params).json()
        assert as_rest(page) == rest
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert pages == 4
    assert ids(page)[-1] == paid
    assert page["edges"][-1]["node"]["properties"] == {"revenue": 42.5, "items": [{"sku": "A"}]}


def test_filters_agree_with_rest(client: httpx.Client, graphql: GraphQLClient) -> None:
    person, e = ann(client), unique("e")
    profile_id = person.id
    post(
        client,
        "/v1/events",
        "events",
        *[
            event(f"{e}-{n}", kind, person.cookie, at=n)
            for n, kind in enumerate(["page_view", "purchase", "email_open"] * 3)
        ],
    )
    path = f"/v1/profiles/{profile_id}/journey"

    by_type = journey(graphql, profile_id, types=["purchase", "email_open"])
    window = journey(graphql, profile_id, since=moment(2), until=moment(5))
    both = journey(graphql, profile_id, types=["purchase"], since=moment(2))

    assert ids(by_type) == [f"{e}-{n}" for n in (1, 2, 4, 5, 7, 8)]
    assert as_rest(by_type) == client.get(path, params={"types": "purchase,email_open"}).json()
    assert ids(window) == [f"{e}-{n}" for n in (2, 3, 4)]
    assert (
        as_rest(window) == client.get(path, params={"since": moment(2), "until": moment(5)}).json()
    )
    assert ids(both) == [f"{e}-{n}" for n in (4, 7)]


def test_every_edge_cursor_resumes_right_after_its_event(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    person, e = ann(client), unique("e")
    profile_id = person.id
    post(
        client,
        "/v1/events",
        "events",
        *[event(f"{e}-{n:02}", "page_view", person.cookie, at=n // 3) for n in range(12)],
    )
    whole = journey(graphql, profile_id)
    everything = ids(whole)

    for position, edge in enumerate(whole["edges"]):
        rest = journey(graphql, profile_id, after=edge["cursor"])
        assert ids(rest) == everything[position + 1 :]
        assert rest["pageInfo"]["hasPreviousPage"] is True

    assert whole["pageInfo"]["endCursor"] == whole["edges"][-1]["cursor"]
    assert whole["pageInfo"]["startCursor"] == whole["edges"][0]["cursor"]
    assert whole["pageInfo"]["hasPreviousPage"] is False


def test_a_profile_without_events_has_an_empty_journey(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    profile_id = ann(client).id

    page = journey(graphql, profile_id)

    assert page == {
        "edges": [],
        "pageInfo": {
            "startCursor": None,
            "endCursor": None,
            "hasNextPage": False,
            "hasPreviousPage": False,
        },
    }


@pytest.mark.parametrize(
    ("args", "code", "field", "words"),
    [
        ({"first": MAX_PAGE_SIZE + 1}, "LIMIT_EXCEEDED", None, f"limit of {MAX_PAGE_SIZE}"),
        ({"first": 0}, "INVALID_INPUT", "first", "at least 1"),
        ({"after": "not-a-cursor"}, "INVALID_INPUT", "after", "cursor"),
        ({"since": moment(5), "until": moment(2)}, "INVALID_INPUT", "since", "later than until"),
    ],
)
def test_a_bad_page_request_says_what_is_wrong(
    client: httpx.Client,
    graphql: GraphQLClient,
    args: dict[str, Any],
    code: str,
    field: str | None,
    words: str,
) -> None:
    profile_id = ann(client).id

    error = graphql.error(JOURNEY, **{"id": profile_id, "first": 10, **args})

    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field
    assert words in error["message"]
    assert error["path"] == ["profile", "journey"]


def test_a_date_time_that_is_not_one_is_refused_before_anything_runs(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    profile_id = ann(client).id

    answer = graphql.post(JOURNEY, id=profile_id, first=10, since="yesterday")

    [error] = answer["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "'yesterday' is not an ISO 8601 date-time" in error["message"]
    assert answer.get("data") is None
