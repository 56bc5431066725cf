"""Bad input on routes whose bodies and parameters FastAPI reads itself: the answer is the
same 422 naming the field as on the batch routes, never a 400 without a field or a 500."""

from __future__ import annotations

import httpx
import pytest

from datora_graph.domain.profiles import MAX_POSITION

from .test_ingest import error_of

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"profile": ', "is not valid JSON (Expecting value at character 12)"),
        (b'{"profile": "\xff"}', "is not UTF-8 text (byte 13 cannot be decoded)"),
    ],
)
def test_an_erasure_body_that_is_not_json_is_422_naming_the_body(
    client: httpx.Client, body: bytes, words: str
) -> None:
    response = client.post("/v1/erasures", content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "body")
    assert words in error["message"]


@pytest.mark.parametrize("after", [MAX_POSITION + 1, 10**30])
def test_a_rejections_position_past_any_stored_one_is_422_naming_after(
    client: httpx.Client, after: int
) -> None:
    response = client.get("/v1/rejected", params={"after": after})

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "after")
    assert str(MAX_POSITION) in error["message"]


def test_the_largest_position_is_still_a_page(client: httpx.Client) -> None:
    response = client.get("/v1/rejected", params={"after": MAX_POSITION})

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_after": None}


def test_an_unknown_field_of_an_erasure_is_refused_not_ignored(client: httpx.Client) -> None:
    response = client.post(
        "/v1/erasures", json={"profile": "email:nobody@acme.io", "reason": "r", "why": "x"}
    )

    assert response.status_code == 422
    error = error_of(response)
    assert (error["field"], error["message"]) == ("why", "why: is not a known field")
