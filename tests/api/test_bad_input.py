"""Bad input on routes whose bodies and parameters FastAPI reads itself: the answer is the
same 422 naming the field as on the batch routes, never a 400 without a field or a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from datora_graph.domain.profiles import MAX_POSITION
from datora_graph.domain.records import MAX_NESTING, lone_surrogate

from .test_ingest import error_of

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"profile": ', "is not valid JSON (Expecting value at character 13)"),
        (b'{"profile": "\xff"}', "is not UTF-8 text (invalid start byte at byte 13)"),
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


DEEP = b"[" * 5_000 + b"]" * 5_000
"""Nested past what Python's `json` can follow: it raises RecursionError, not a decode error."""


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/observations", b'{"observations": ' + DEEP + b"}"),
        ("/v1/erasures", b'{"profile": ' + DEEP + b', "reason": "r"}'),
    ],
)
def test_a_body_nested_too_deeply_to_read_is_422_naming_the_body(
    client: httpx.Client, path: str, body: bytes
) -> None:
    response = client.post(path, content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["field"], error["message"]) == ("body", "body: is nested too deeply to read")


def graphql_refusal(response: httpx.Response) -> str:
    """The message of a request `/graphql` refused before running it: a 400 in the GraphQL
    error shape, with a code as every error has, never plain text."""
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["data"] is None
    [error] = answer["errors"]
    assert set(error) == {"message", "extensions"}
    assert error["extensions"] == {"code": "INVALID_INPUT"}
    message: str = error["message"]
    return message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"nope", "the request body is not valid JSON (Expecting value at character 1)"),
        (b"{}", "the request has no `query` string"),
        (b'{"query": null}', "the request has no `query` string"),
        (b'{"query": 5}', "the request body's `query` must be a string: the GraphQL document"),
        (b'[{"query": "{ __typename }"}]', "not a list: batches of operations are not served"),
    ],
)
def test_a_graphql_body_that_is_no_graphql_request_is_a_400_graphql_error_saying_why(
    client: httpx.Client, body: bytes, message: str
) -> None:
    response = client.post("/graphql", content=body, headers=JSON)

    assert message in graphql_refusal(response)


def test_a_graphql_body_that_is_not_sent_as_json_is_a_400_graphql_error(
    client: httpx.Client,
) -> None:
    response = client.post("/graphql", content=b"{ __typename }")

    assert "sent with `Content-Type: application/json`" in graphql_refusal(response)


def test_a_graphql_operation_sent_with_get_is_a_400_graphql_error(client: httpx.Client) -> None:
    response = client.get("/graphql", params={"query": "{ __typename }"})

    assert graphql_refusal(response) == (
        "send GraphQL operations with POST; GET /graphql serves only the GraphiQL page"
    )


def test_a_graphql_body_nested_too_deeply_is_a_400_saying_so(client: httpx.Client) -> None:
    body = b'{"query": "{ __typename }", "variables": {"v": ' + DEEP + b"}}"

    response = client.post("/graphql", content=body, headers=JSON)

    assert "nested too deeply" in graphql_refusal(response)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"null", "must be a JSON object"),
        (b'"{ __typename }"', "must be a JSON object"),
        (b'{"query": "{ __typename }", "variables": {"v": ' + b"9" * 5000 + b"}}", "digits"),
        (b'{"query": "{ __typename }", "variables": {"v": "\\ud800"}}', "lone UTF-16 surrogate"),
    ],
)
def test_a_graphql_body_no_server_can_use_is_a_400_saying_why(
    client: httpx.Client, body: bytes, said: str
) -> None:
    response = client.post("/graphql", content=body, headers=JSON)

    assert said in graphql_refusal(response)


def test_a_lone_surrogate_in_an_ingest_body_is_a_422_naming_where(client: httpx.Client) -> None:
    body = b'{"observations": [{"id": "o1", "source": "crm\\udfff"}]}'

    response = client.post("/v1/observations", content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "body"
    assert "surrogate escape at body.observations[0].source" in error["message"]


def test_a_lone_surrogate_in_an_erasure_body_is_a_422_naming_the_field(
    client: httpx.Client,
) -> None:
    """The erasure route's body is read by FastAPI, not by the batch reader: the same words."""
    body = b'{"profile": "email:ann@acme.io", "reason": "GDPR \\ud800"}'

    response = client.post("/v1/erasures", content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "reason"
    assert error["message"] == f"reason: {lone_surrogate()}"


def test_an_attribute_nested_past_the_bound_rejects_its_observation_alone(
    client: httpx.Client,
) -> None:
    deep: object = "leaf"
    for _ in range(MAX_NESTING + 1):
        deep = [deep]
    items = [
        {
            "id": "deep",
            "source": "crm",
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{"type": "email", "value": "deep@acme.io"}],
            "attributes": {"note": deep},
        },
        {
            "id": "flat",
            "source": "crm",
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{"type": "email", "value": "flat@acme.io"}],
            "attributes": {"note": ["a", ["b"]]},
        },
    ]

    results = client.post("/v1/observations", json={"observations": items}).json()["results"]

    assert [(r["id"], r["status"], r["field"]) for r in results] == [
        ("deep", "rejected", "attributes.note"),
        ("flat", "accepted", None),
    ]
    found = client.get("/v1/profiles", params={"identifier": "email:flat@acme.io"})
    assert found.status_code == 200
    assert found.json()["attributes"]["note"] == ["a", ["b"]]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_number_json_has_not_got_rejects_its_item_alone(
    client: httpx.Client, number: str
) -> None:
    """Python's JSON reader takes NaN and Infinity (and reads 1e999 as Infinity); no store
    could write them back, so an accepted one broke every segment and report after it."""
    head = '"source": "crm", "observed_at": "2026-05-01T10:00:00Z"'
    observations = (
        '{"observations": ['
        f'{{"id": "top", {head}, "identifiers": [{{"type": "email", "value": "a@acme.io"}}],'
        f' "attributes": {{"score": {number}}}}},'
        f'{{"id": "deep", {head}, "identifiers": [{{"type": "email", "value": "b@acme.io"}}],'
        f' "attributes": {{"scores": [1, {{"x": {number}}}]}}}},'
        f'{{"id": "fine", {head}, "identifiers": [{{"type": "email", "value": "c@acme.io"}}],'
        ' "attributes": {"score": 1.5}}]}'
    )
    head = '"type": "page_view", "occurred_at": "2026-05-01T10:00:00Z", "source": "web"'
    ids = '"identifiers": [{"type": "email", "value": "c@acme.io"}]'
    events = (
        f'{{"events": [{{"id": "e-bad", {head}, {ids}, "properties": {{"q": {number}}}}},'
        f'{{"id": "e-fine", {head}, {ids}, "properties": {{"q": 2}}}}]}}'
    )

    observed = client.post("/v1/observations", content=observations, headers=JSON)
    happened = client.post("/v1/events", content=events, headers=JSON)

    assert [(r["id"], r["status"], r["field"]) for r in observed.json()["results"]] == [
        ("top", "rejected", "attributes.score"),
        ("deep", "rejected", "attributes.scores"),
        ("fine", "accepted", None),
    ]
    assert "not a JSON number" in observed.json()["results"][0]["reason"]
    assert [(r["id"], r["status"], r["field"]) for r in happened.json()["results"]] == [
        ("e-bad", "rejected", "properties.q"),
        ("e-fine", "accepted", None),
    ]
    assert client.get("/v1/stats").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/v1/erasures", b"", "is required"),
        ("/v1/erasures", b"null", "valid dictionary"),
        ("/v1/erasures", b"[]", "valid dictionary"),
        ("/v1/observations", b'{"observations": [], "": 1}', 'a field named "" is not a known'),
    ],
)
def test_a_body_wrong_as_a_whole_is_422_naming_the_body(
    client: httpx.Client, path: str, body: bytes, words: str
) -> None:
    response = client.post(path, content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "body"
    assert words in error["message"]


def test_times_past_the_servers_clock_and_tolerance_are_refused(client: httpx.Client) -> None:
    """A source's clock a little ahead is fine; a date days or years ahead would win every
    "most recent" rule until then, and is refused naming the field."""
    soon = datetime.now(UTC) + timedelta(hours=1)
    later = datetime.now(UTC) + timedelta(days=2)

    def item(item_id: str, at: datetime) -> dict[str, object]:
        return {
            "id": item_id,
            "source": "crm",
            "observed_at": at.isoformat(),
            "identifiers": [{"type": "email", "value": f"{item_id}@acme.io"}],
        }

    future_event = item("e-later", later)
    future_event["occurred_at"] = future_event.pop("observed_at")
    observed = client.post(
        "/v1/observations", json={"observations": [item("soon", soon), item("later", later)]}
    ).json()["results"]
    events = client.post(
        "/v1/events",
        json={"events": [{**future_event, "type": "purchase"}]},
    ).json()["results"]
    consent = client.post(
        "/v1/consent",
        json={
            "consent": [
                {
                    "identifier": {"type": "email", "value": "soon@acme.io"},
                    "purpose": "email_marketing",
                    "status": "granted",
                    "source": "crm",
                    "at": later.isoformat(),
                }
            ]
        },
    )

    assert [(r["status"], r["field"]) for r in observed] == [
        ("accepted", None),
        ("rejected", "observed_at"),
    ]
    assert "is in the future" in observed[1]["reason"]
    assert [(r["status"], r["field"]) for r in events] == [("rejected", "occurred_at")]
    assert consent.status_code == 422
    assert error_of(consent)["field"] == "consent[0].at"
