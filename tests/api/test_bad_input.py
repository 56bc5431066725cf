"""Bad input on routes whose bodies and parameters FastAPI reads itself: the answer is the
same 422 naming the field as on the batch routes, never a 400 without a field or a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from tests.conftest import unique

from datora_graph.domain.profiles import MAX_POSITION
from datora_graph.domain.reasons import lone_surrogate
from datora_graph.domain.records import MAX_NESTING

from .test_ingest import error_of


@pytest.fixture(scope="module")
def client(module_client: httpx.Client) -> httpx.Client:
    """Bad input leaves the server as it was: the module's tests share one."""
    return module_client


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
    could write them back, so an accepted one broke every segment and report after it. Each
    case's items have their own IDs: the module's tests share one store."""
    n = unique("")  # the suffix alone: "-" and 8 hex digits, put after each ID
    head = '"source": "crm", "observed_at": "2026-05-01T10:00:00Z"'
    observations = (
        '{"observations": ['
        f'{{"id": "top{n}", {head}, "identifiers": [{{"type": "email", "value": "a@acme.io"}}],'
        f' "attributes": {{"score": {number}}}}},'
        f'{{"id": "deep{n}", {head}, "identifiers": [{{"type": "email", "value": "b@acme.io"}}],'
        f' "attributes": {{"scores": [1, {{"x": {number}}}]}}}},'
        f'{{"id": "fine{n}", {head}, "identifiers": [{{"type": "email", "value": "c@acme.io"}}],'
        ' "attributes": {"score": 1.5}}]}'
    )
    head = '"type": "page_view", "occurred_at": "2026-05-01T10:00:00Z", "source": "web"'
    ids = '"identifiers": [{"type": "email", "value": "c@acme.io"}]'
    events = (
        f'{{"events": [{{"id": "e-bad{n}", {head}, {ids}, "properties": {{"q": {number}}}}},'
        f'{{"id": "e-fine{n}", {head}, {ids}, "properties": {{"q": 2}}}}]}}'
    )

    observed = client.post("/v1/observations", content=observations, headers=JSON)
    happened = client.post("/v1/events", content=events, headers=JSON)

    assert [(r["id"], r["status"], r["field"]) for r in observed.json()["results"]] == [
        (f"top{n}", "rejected", "attributes.score"),
        (f"deep{n}", "rejected", "attributes.scores"),
        (f"fine{n}", "accepted", None),
    ]
    assert "not a JSON number" in observed.json()["results"][0]["reason"]
    assert [(r["id"], r["status"], r["field"]) for r in happened.json()["results"]] == [
        (f"e-bad{n}", "rejected", "properties.q"),
        (f"e-fine{n}", "accepted", None),
    ]
    assert client.get("/v1/stats").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/v1/erasures", b"", "is required"),
        ("/v1/erasures", b"null", "body: must be a JSON object {...}, got null"),
        ("/v1/erasures", b"[]", "body: must be a JSON object {...}, got an empty list"),
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


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"since": "x"},
            "since: must be an ISO 8601 date-time such as 2026-05-01T10:00:00Z, got 'x' "
            "(input is too short)",
        ),
        (
            {"until": "2026-13-01"},
            "until: must be an ISO 8601 date-time such as 2026-05-01T10:00:00Z, "
            "got '2026-13-01' (month value is outside expected range of 1-12)",
        ),
        (
            {"since": "1714557600"},
            "since: must be an ISO 8601 date-time such as 2026-05-01T10:00:00Z, "
            "got the number 1714557600",
        ),
        ({"first": "ten"}, "first: must be a whole number such as 50, got 'ten'"),
        ({"first": "0"}, "first: must be at least 1, got '0'"),
        ({"first": "1001"}, "first: must be at most 1000, got '1001'"),
    ],
)
def test_a_bad_journey_parameter_says_what_it_takes_and_what_it_got(
    client: httpx.Client, params: dict[str, str], message: str
) -> None:
    response = client.get("/v1/profiles/prf_x/journey", params=params)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["field"], error["message"]) == (next(iter(params)), message)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/profiles/prf_x/journey?since=2026-05-01T10:00:00+02:00", "since"),
        ("/v1/segments/seg_x/export?as_of=2026-05-01T10:00:00+02:00", "as_of"),
    ],
)
def test_a_time_whose_plus_was_not_encoded_says_to_write_2b(
    client: httpx.Client, path: str, field: str
) -> None:
    """`+` in a query string means a space, so the offset arrived as ` 02:00`."""
    response = client.get(path)

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == field
    assert error["message"] == (
        f"{field}: '2026-05-01T10:00:00 02:00' has a space where its time zone offset's + "
        "would be: a query string reads + as a space, so encode it as %2B "
        "(2026-05-01T10:00:00%2B02:00) or give the time in UTC with Z (2026-05-01T10:00:00Z)"
    )


def test_an_encoded_offset_is_read(client: httpx.Client) -> None:
    response = client.get("/v1/profiles/prf_x/journey?since=2026-05-01T10:00:00%2B02:00")

    assert response.status_code == 404, "the time is read; only the profile is unknown"


def test_a_bad_choice_lists_the_choices(client: httpx.Client) -> None:
    response = client.get("/v1/rejected", params={"kind": "events"})

    assert error_of(response)["message"] == "kind: must be 'observation' or 'event', got 'events'"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"profile": 42, "reason": "r"},
            "profile",
            "must be text in double quotes, got the number 42",
        ),
        (
            {"profile": "email:a@acme.io", "reason": ["r"]},
            "reason",
            "must be text in double quotes, got a list",
        ),
        ({"profile": "", "reason": "r"}, "profile", "must not be empty"),
    ],
)
def test_a_bad_erasure_field_says_what_it_takes_and_what_it_got(
    client: httpx.Client, body: dict[str, object], field: str, message: str
) -> None:
    response = client.post("/v1/erasures", json=body)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["field"], error["message"]) == (field, f"{field}: {message}")


def test_an_ingest_rejection_says_what_the_field_takes_and_what_it_got(
    client: httpx.Client,
) -> None:
    head = {"source": "crm", "observed_at": "2026-05-01T10:00:00Z"}
    items = [
        {"id": "none", **head, "identifiers": []},
        {"id": "text", **head, "identifiers": "email:ann@acme.io"},
        {**{"id": "when", **head, "observed_at": "yesterday"}, "identifiers": []},
        {
            "id": "attrs",
            **head,
            "identifiers": [{"type": "email", "value": "a@acme.io"}],
            "attributes": ["first_name"],
        },
    ]

    results = client.post("/v1/observations", json={"observations": items}).json()["results"]

    assert [(r["field"], r["reason"]) for r in results] == [
        ("identifiers", "must hold at least one item, got an empty list"),
        ("identifiers", "must be a list [...], got 'email:ann@acme.io'"),
        (
            "observed_at",
            "must be an ISO 8601 date-time such as 2026-05-01T10:00:00Z, got 'yesterday' "
            "(input is too short)",
        ),
        ("attributes", "must be a JSON object {...}, got a list"),
    ]


TWICE = "twice in one object, at body"


def test_a_key_given_twice_in_an_erasure_erases_no_one(client: httpx.Client) -> None:
    """`json` would keep the last `profile` and erase Bob, without a word about Ann."""
    people = [
        {
            "id": f"o-{name}",
            "source": "crm",
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{"type": "email", "value": f"{name}@acme.io"}],
        }
        for name in ("ann", "bob")
    ]
    client.post("/v1/observations", json={"observations": people}).raise_for_status()
    body = b'{"profile": "email:ann@acme.io", "reason": "GDPR", "profile": "email:bob@acme.io"}'

    response = client.post("/v1/erasures", content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "body")
    assert f'the key "profile" {TWICE}.profile:' in error["message"]
    for name in ("ann", "bob"):
        found = client.get("/v1/profiles", params={"identifier": f"email:{name}@acme.io"})
        assert found.status_code == 200, f"{name} is kept"


def test_a_key_given_twice_in_a_batch_refuses_the_body_naming_where(
    client: httpx.Client,
) -> None:
    body = (
        b'{"observations": [{"id": "o1", "source": "crm", "observed_at": "2026-05-01T10:00:00Z",'
        b' "identifiers": [{"type": "email", "value": "cy@acme.io"}],'
        b' "attributes": {"city": "Paris", "city": "Berlin"}}]}'
    )

    response = client.post("/v1/observations", content=body, headers=JSON)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "body")
    assert f'the key "city" {TWICE}.observations[0].attributes.city:' in error["message"]
    nothing = client.get("/v1/profiles", params={"identifier": "email:cy@acme.io"})
    assert nothing.status_code == 404


def test_a_graphql_body_giving_a_key_twice_is_a_400_saying_where(client: httpx.Client) -> None:
    body = b'{"query": "{ __typename }", "variables": {"v": 1, "v": 2}}'

    response = client.post("/graphql", content=body, headers=JSON)

    assert f'the key "v" {TWICE}.variables.v:' in graphql_refusal(response)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/graphql", "GET, HEAD, POST"),
        ("OPTIONS", "/graphql", "GET, HEAD, POST"),
        ("GET", "/v1/observations", "POST"),
        ("DELETE", "/v1/profiles/prf_2c8336893548cbcc1227", "GET, HEAD"),
        ("POST", "/v1/profiles/prf_2c8336893548cbcc1227/journey", "GET, HEAD"),
    ],
)
def test_a_method_a_path_does_not_take_is_405_naming_those_it_does(
    client: httpx.Client, method: str, path: str, allowed: str
) -> None:
    """Starlette named the methods of the first route with the path: `/graphql` said
    `Allow: GET`, and a client would never learn it takes POST."""
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    error = error_of(response)
    assert error["code"] == "METHOD_NOT_ALLOWED"
    assert error["message"] == (
        f"{path} does not take {method}; it takes {allowed.replace(', ', ' or ')} (see /docs)"
    )
