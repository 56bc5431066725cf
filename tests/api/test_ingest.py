"""POST /v1/observations and /v1/events over real HTTP: per-item results, limits, bad bodies.

Tests that read only the answers to their own items, under IDs of their own (`unique`), share
the module's server (`module_client`); those that count or list everything the store holds,
or read the server's settings, keep one of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.conftest import unique, unique_phone

from datora_graph.config import Settings

from .payloads import event, obs


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    detail: dict[str, Any] = body["error"]
    assert set(detail) == {"code", "message", "field"}
    return detail


def test_each_observation_gets_its_own_result(module_client: httpx.Client) -> None:
    o1, o2, o3, o4 = (unique(name) for name in ("o1", "o2", "o3", "o4"))
    a, b = f"email:{unique('a')}@acme.io", f"email:{unique('b')}@acme.io"
    first = module_client.post("/v1/observations", json={"observations": [obs(o1, a)]})
    assert first.status_code == 200

    response = module_client.post(
        "/v1/observations",
        json={
            "observations": [
                obs(o2, f"phone:{unique_phone()}", first_name="Ann"),
                obs(o1, a),
                obs(o3, "email:not-an-email"),
                {"id": o4, "source": "crm", "identifiers": identifiers_of(b)},
                "not an object",
            ]
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 1, 3)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in results] == [
        "accepted",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [r["id"] for r in results] == [o2, o1, o3, o4, None]
    assert results[2]["field"] == "identifiers[0].value"
    assert "not an email address" in results[2]["reason"]
    assert results[3]["field"] == "observed_at"
    assert results[3]["reason"] == "is required"
    assert "JSON object" in results[4]["reason"]


def identifiers_of(*keys: str) -> list[dict[str, str]]:
    return obs("x", *keys)["identifiers"]  # type: ignore[no-any-return]


def test_events_are_accepted_deduplicated_and_rejected_per_item(
    module_client: httpx.Client,
) -> None:
    e1, cookie = unique("e1"), f"cookie_id:{unique('c-1')}"
    undated = event(unique("e2"), "purchase", cookie) | {"occurred_at": "yesterday"}
    response = module_client.post(
        "/v1/events",
        json={
            "events": [
                event(e1, "page_view", cookie),
                event(e1, "page_view", cookie),
                undated,
            ]
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 1, 1)
    assert body["results"][2]["field"] == "occurred_at"


def test_rejected_items_are_listed_with_field_and_reason(client: httpx.Client) -> None:
    client.post(
        "/v1/observations",
        json={"observations": [obs("o1", "email:bad"), obs("o2", "email:ok@acme.io")]},
    )
    client.post("/v1/events", json={"events": [event("e1", "page_view", "phone:12")]})

    everything = client.get("/v1/rejected").json()
    only_events = client.get("/v1/rejected", params={"kind": "event"}).json()
    first_page = client.get("/v1/rejected", params={"limit": 1}).json()
    second_page = client.get(
        "/v1/rejected", params={"limit": 1, "after": first_page["next_after"]}
    ).json()

    assert [(i["kind"], i["id"], i["field"]) for i in everything["items"]] == [
        ("observation", "o1", "identifiers[0].value"),
        ("event", "e1", "identifiers[0].value"),
    ]
    assert json.loads(everything["items"][0]["payload"])["id"] == "o1"
    assert everything["next_after"] is None
    assert [i["id"] for i in only_events["items"]] == ["e1"]
    assert [i["id"] for i in first_page["items"]] == ["o1"]
    assert [i["id"] for i in second_page["items"]] == ["e1"]


def test_a_batch_over_the_item_limit_is_refused_whole(
    client: httpx.Client, settings: Settings
) -> None:
    limit = settings.max_batch_items
    items = [obs(f"o{n}", f"cookie_id:c-{n}") for n in range(limit + 1)]

    response = client.post("/v1/observations", json={"observations": items})

    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "LIMIT_EXCEEDED"
    assert f"limit of {limit} per request" in error["message"]
    assert client.get("/v1/stats").json()["observations"] == 0


def test_a_batch_at_the_item_limit_is_accepted(client: httpx.Client, settings: Settings) -> None:
    items = [obs(f"o{n}", f"cookie_id:c-{n}") for n in range(settings.max_batch_items)]

    response = client.post("/v1/observations", json={"observations": items})

    assert response.status_code == 200
    assert response.json()["accepted"] == settings.max_batch_items


def oversized_body(limit: int) -> bytes:
    padding = "x" * (limit + 1)
    return json.dumps({"observations": [obs("o1", "email:a@acme.io", note=padding)]}).encode()


def test_a_body_declared_larger_than_the_limit_is_refused(
    client: httpx.Client, settings: Settings
) -> None:
    body = oversized_body(settings.max_body_bytes)

    response = client.post(
        "/v1/observations", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "LIMIT_EXCEEDED"
    assert f"is {len(body)} bytes" in error["message"]
    assert f"limit of {settings.max_body_bytes} bytes" in error["message"]


def test_a_streamed_body_is_counted_and_refused_past_the_limit(
    client: httpx.Client, settings: Settings
) -> None:
    body = oversized_body(settings.max_body_bytes)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = client.post(
        "/v1/events", content=chunks(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert f"limit of {settings.max_body_bytes} bytes" in error_of(response)["message"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (b'{"observations": [', "body", "not valid JSON"),
        (b"", "body", "not valid JSON"),
        (b'[{"id": "o1"}]', "body", "JSON object"),
        (b"{}", "observations", "is required"),
        (b'{"observations": {"id": "o1"}}', "observations", "must be a list [...], got an object"),
        (b'{"observations": "o1"}', "observations", "must be a list [...], got 'o1'"),
        (b'{"observations": [], "extra": 1}', "extra", "not a known field"),
    ],
)
def test_a_malformed_body_is_422_naming_the_field(
    module_client: httpx.Client, body: bytes, field: str, words: str
) -> None:
    response = module_client.post(
        "/v1/observations", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == field
    assert words in error["message"]


def test_an_empty_batch_is_fine(module_client: httpx.Client) -> None:
    response = module_client.post("/v1/events", json={"events": []})

    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicates": 0, "rejected": 0, "results": []}
