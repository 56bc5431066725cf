"""The review queue: merges a guard refused, with the profiles on both sides, page by page."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, NamedTuple

import httpx
import pytest
from tests.conftest import unique, unique_phone

from ..payloads import event, obs
from .conftest import GraphQLClient

REVIEW_QUEUE = """
query ($first: Int!, $after: String) {
  reviewQueue(first: $first, after: $after) {
    edges { cursor node {
      id kind reason observationId status createdAt
      a { type value } b { type value }
      profileA { id identifiers { key } } profileB { id identifiers { key } }
    } }
    pageInfo { endCursor hasNextPage }
  }
}"""


class HeldPair(NamedTuple):
    """One person's two CRM records (their crm_id keys) and the record that would join them."""

    a: str
    b: str
    joining: str


def held_pairs(client: httpx.Client, count: int, apart: bool = False) -> list[HeldPair]:
    """`count` people whose two CRM records a shared email would join: each join is held,
    because a profile holds one crm_id, and becomes a review item. Person n's IDs are numbered
    (`crm_id:A-0`, `j0`) and, if `apart`, marked as the caller's own (`unique`), for a server
    that tests share."""
    own: Callable[[str], str] = unique if apart else str
    people = []
    for n in range(count):
        email = f"email:{own(f'p{n}')}@acme.io"
        phone = "phone:" + (unique_phone() if apart else f"+1415555{n:04}")
        person = HeldPair(f"crm_id:{own(f'A-{n}')}", f"crm_id:{own(f'B-{n}')}", own(f"j{n}"))
        items = [
            obs(own(f"a{n}"), person.a, email, at=n),
            obs(own(f"b{n}"), person.b, phone, at=n),
            obs(person.joining, email, phone, at=n + 0.5),
        ]
        response = client.post("/v1/observations", json={"observations": items})
        assert response.json()["accepted"] == 3
        people.append(person)
    return people


def page(graphql: GraphQLClient, first: int, after: str | None = None) -> dict[str, Any]:
    queue: dict[str, Any] = graphql.data(REVIEW_QUEUE, first=first, after=after)["reviewQueue"]
    return queue


def test_a_held_merge_waits_with_both_profiles(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    held_pairs(client, 1)

    [edge] = page(graphql, 10)["edges"]
    item = edge["node"]

    assert item["kind"] == "held_link"
    assert item["status"] == "open"
    assert item["observationId"] == "j0"
    assert item["reason"]
    keys = {
        f"{item['a']['type']}:{item['a']['value']}",
        f"{item['b']['type']}:{item['b']['value']}",
    }
    assert keys == {"email:p0@acme.io", "phone:+14155550000"}
    sides = {
        tuple(sorted(i["key"] for i in item[side]["identifiers"]))
        for side in ("profileA", "profileB")
    }
    assert sides == {("crm_id:A-0", "email:p0@acme.io"), ("crm_id:B-0", "phone:+14155550000")}
    rest = client.get("/v1/profiles", params={"identifier": "crm_id:A-0"}).json()
    assert rest["id"] in (item["profileA"]["id"], item["profileB"]["id"])
    assert client.get("/v1/stats").json()["open_review_items"] == 1


def test_the_queue_pages_in_the_order_items_opened(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    held_pairs(client, 5)

    seen: list[str] = []
    after = None
    for _ in range(5):
        current = page(graphql, 2, after)
        seen += [edge["node"]["observationId"] for edge in current["edges"]]
        if not current["pageInfo"]["hasNextPage"]:
            break
        after = current["pageInfo"]["endCursor"]

    assert seen == ["j0", "j1", "j2", "j3", "j4"]


def test_a_cursor_of_another_list_is_refused(
    module_client: httpx.Client, module_graphql: GraphQLClient
) -> None:
    [person] = held_pairs(module_client, 1, apart=True)
    module_client.post("/v1/events", json={"events": [event(unique("e1"), "page_view", person.a)]})
    profile_id = module_client.get("/v1/profiles", params={"identifier": person.a}).json()["id"]
    journey = module_graphql.data(
        "query ($id: ID!) { profile(id: $id) { journey { pageInfo { endCursor } } } }",
        id=profile_id,
    )
    journey_cursor = journey["profile"]["journey"]["pageInfo"]["endCursor"]

    error = module_graphql.error(REVIEW_QUEUE, first=2, after=journey_cursor)

    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}
    assert "not a cursor of this list" in error["message"]


def test_the_queue_narrows_to_one_profiles_items(
    module_client: httpx.Client, module_graphql: GraphQLClient
) -> None:
    people = held_pairs(module_client, 3, apart=True)
    profile_id = module_client.get("/v1/profiles", params={"identifier": people[1].b}).json()["id"]

    queue = module_graphql.data(
        """query ($profileId: ID!) { reviewQueue(profileId: $profileId) {
             edges { node { observationId profileA { id } profileB { id } } } } }""",
        profileId=profile_id,
    )["reviewQueue"]

    [edge] = queue["edges"]
    assert edge["node"]["observationId"] == people[1].joining
    assert profile_id in (edge["node"]["profileA"]["id"], edge["node"]["profileB"]["id"])
    missing = module_graphql.error(
        '{ reviewQueue(profileId: "prf_nobody") { edges { node { id } } } }'
    )
    assert missing["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("field", "parts"),
    [
        ("reviewQueue(first: 2, after: $after) { edges { cursor } }", '["review","abc"]'),
        (
            "reviewQueue(first: 2, after: $after) { edges { cursor } }",
            '["review","' + "9" * 30 + '"]',
        ),
        ("decisions(first: 2, after: $after) { edges { cursor } }", '["decision","-1"]'),
        ("profiles(first: 2, after: $after) { edges { cursor } }", "[" * 5000),
        (
            "auditLog(first: 2, after: $after) { edges { cursor } }",
            '["audit","9999-12-31T23:59:59-05:00","x"]',
        ),
    ],
)
def test_a_forged_cursor_is_invalid_input_naming_after(
    module_graphql: GraphQLClient, field: str, parts: str
) -> None:
    forged = base64.urlsafe_b64encode(parts.encode()).decode()

    error = module_graphql.error(f"query ($after: String) {{ {field} }}", after=forged)

    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}, error


ANSWERED_QUEUE = """
query ($status: String) {
  reviewQueue(first: 10, status: $status) {
    edges { node { status observationId answeredBy a { value } b { value } } }
  }
  insights { counts { openReviewItems heldLinks } }
}"""


def test_an_item_a_later_record_answered_leaves_the_queue_as_answered(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    """Bob's record ties Ann's cookie to his email: the cookie is quarantined and the link
    held. A later record joins Ann's and Bob's profiles through her email and his device:
    the item is answered by that record, and the open count drops."""
    items = [
        obs("o1", "email:ann@x.io", "cookie_id:k1", at=1, first_name="Ann"),
        obs("o2", "email:bob@x.io", "device_id:d1", at=2, first_name="Bob"),
        obs("o3", "email:bob@x.io", "cookie_id:k1", at=3, first_name="Bob"),
    ]
    assert client.post("/v1/observations", json={"observations": items}).json()["accepted"] == 3
    opened = graphql.data(ANSWERED_QUEUE, status="open")
    assert [e["node"]["observationId"] for e in opened["reviewQueue"]["edges"]] == ["o3"]
    assert opened["insights"]["counts"]["openReviewItems"] == 1

    joining = [obs("o4", "email:ann@x.io", "device_id:d1", at=4)]
    assert client.post("/v1/observations", json={"observations": joining}).json()["accepted"]

    after = graphql.data(ANSWERED_QUEUE, status="open")
    assert after["reviewQueue"]["edges"] == []
    assert after["insights"]["counts"] == {"openReviewItems": 0, "heldLinks": 0}
    [edge] = graphql.data(ANSWERED_QUEUE, status="answered")["reviewQueue"]["edges"]
    assert edge["node"] == {
        "status": "answered",
        "observationId": "o3",
        "answeredBy": "o4",
        "a": {"value": "k1"},
        "b": {"value": "bob@x.io"},
    }
    assert client.get("/v1/stats").json()["open_review_items"] == 0
