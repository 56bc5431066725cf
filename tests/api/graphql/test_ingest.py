"""The ingest mutations: the same per-item answers as REST, and the same batch limit."""

from __future__ import annotations

import httpx
from tests.conftest import TEST_MAX_BATCH_ITEMS, TEST_MAX_BODY_BYTES

from ..payloads import event, obs
from .conftest import GraphQLClient

INGEST_OBSERVATIONS = """
mutation ($items: [JSON!]!) {
  ingestObservations(observations: $items) {
    accepted duplicates rejected results { index id status field reason }
  }
}"""
INGEST_EVENTS = """
mutation ($items: [JSON!]!) {
  ingestEvents(events: $items) { accepted duplicates rejected results { index id status field } }
}"""


def test_each_observation_gets_its_own_result(client: httpx.Client, graphql: GraphQLClient) -> None:
    graphql.data(INGEST_OBSERVATIONS, items=[obs("o1", "email:a@acme.io")])

    report = graphql.data(
        INGEST_OBSERVATIONS,
        items=[
            obs("o2", "phone:+14155550101", first_name="Ann"),
            obs("o1", "email:a@acme.io"),
            obs("o3", "email:not-an-email"),
            "not an object",
        ],
    )["ingestObservations"]

    assert (report["accepted"], report["duplicates"], report["rejected"]) == (1, 1, 2)
    assert [(r["index"], r["id"], r["status"]) for r in report["results"]] == [
        (0, "o2", "ACCEPTED"),
        (1, "o1", "DUPLICATE"),
        (2, "o3", "REJECTED"),
        (3, None, "REJECTED"),
    ]
    assert report["results"][2]["field"] == "identifiers[0].value"
    assert "not an email address" in report["results"][2]["reason"]
    stats = client.get("/v1/stats").json()
    assert (stats["observations"], stats["rejections"]) == (2, 2)
    assert client.get("/v1/profiles?identifier=phone:+14155550101").json()["attributes"] == {
        "first_name": "Ann"
    }


def test_events_join_the_journey(client: httpx.Client, graphql: GraphQLClient) -> None:
    graphql.data(INGEST_OBSERVATIONS, items=[obs("o1", "email:a@acme.io", "cookie_id:c-1")])

    report = graphql.data(
        INGEST_EVENTS,
        items=[
            event("e1", "page_view", "cookie_id:c-1"),
            event("e1", "page_view", "cookie_id:c-1"),
            event("e2", "purchase", "cookie_id:c-1") | {"occurred_at": "yesterday"},
        ],
    )["ingestEvents"]

    assert [r["status"] for r in report["results"]] == ["ACCEPTED", "DUPLICATE", "REJECTED"]
    assert report["results"][2]["field"] == "occurred_at"
    profile_id = client.get("/v1/profiles?identifier=cookie_id:c-1").json()["id"]
    journey = client.get(f"/v1/profiles/{profile_id}/journey").json()
    assert [e["id"] for e in journey["events"]] == ["e1"]


def test_a_batch_over_the_item_limit_is_refused_whole(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    items = [obs(f"o{n}", f"cookie_id:c-{n}") for n in range(TEST_MAX_BATCH_ITEMS + 1)]

    answer = graphql.post(INGEST_OBSERVATIONS, items=items)

    [error] = answer["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert f"limit of {TEST_MAX_BATCH_ITEMS} per request" in error["message"]
    assert answer["data"] == {"ingestObservations": None}
    assert client.get("/v1/stats").json()["observations"] == 0


def test_a_batch_at_the_item_limit_is_accepted(graphql: GraphQLClient) -> None:
    items = [obs(f"o{n}", f"cookie_id:c-{n}") for n in range(TEST_MAX_BATCH_ITEMS)]

    report = graphql.data(INGEST_OBSERVATIONS, items=items)["ingestObservations"]

    assert report["accepted"] == TEST_MAX_BATCH_ITEMS


def test_a_body_over_the_byte_limit_is_refused_before_it_is_read(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    padding = "x" * TEST_MAX_BODY_BYTES
    items = [obs("o1", "email:a@acme.io", note=padding)]

    response = graphql.http.post(
        "/graphql", json={"query": INGEST_OBSERVATIONS, "variables": {"items": items}}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "LIMIT_EXCEEDED"
    assert f"limit of {TEST_MAX_BODY_BYTES} bytes" in response.json()["error"]["message"]
    assert client.get("/v1/stats").json()["observations"] == 0
