"""POST /v1/consent and GET /v1/segments/{id}/export, over HTTP against a real server.

Segments are defined through a second handle on the same database file, as the CLI or the
GraphQL API of another process would."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from datora_graph.config import Settings
from datora_graph.segment_service import SegmentService
from datora_graph.store.sqlite import SqliteStore

from .payloads import event, moment, obs

AS_OF = moment(60 * 24 * 30)
BUYERS = {"event": {"type": "purchase", "within_days": 30}}


@pytest.fixture
def segments(client: httpx.Client, settings: Settings) -> Iterator[SegmentService]:
    """The service over a second connection to the server's database (the server is up)."""
    store = SqliteStore(settings.db)
    try:
        yield SegmentService(store, settings)
    finally:
        store.close()


def post(client: httpx.Client, path: str, key: str, *items: dict[str, Any]) -> httpx.Response:
    return client.post(path, json={key: list(items)})


def grant(value: str, status: str = "granted", at: float = 10, **extra: Any) -> dict[str, Any]:
    kind = "phone" if value.startswith("+") else "email"
    return {
        "identifier": {"type": kind, "value": value},
        "purpose": "email_marketing",
        "status": status,
        "at": moment(at),
        "source": "preference-centre",
        **extra,
    }


@pytest.fixture
def shop(client: httpx.Client) -> None:
    """Ann and Bob bought something; Cy only browsed; a call-centre agent typed a junk email."""
    response = post(
        client,
        "/v1/observations",
        "observations",
        obs("o1", "email:Ann@Acme.io", "phone:+14155550101", first_name="Ann", at=1),
        obs("o2", "email:bob@acme.io", at=2),
        obs("o3", "email:cy@acme.io", "cookie_id:c-3", at=3),
        obs("o4", "email:test@test.com", at=4),
    )
    assert response.json()["accepted"] == 4
    response = post(
        client,
        "/v1/events",
        "events",
        event("e1", "purchase", "email:ann@acme.io", at=100, revenue=30),
        event("e2", "purchase", "email:bob@acme.io", at=200, revenue=12),
        event("e3", "page_view", "cookie_id:c-3", at=300),
        event("e4", "purchase", "email:test@test.com", at=300, revenue=5),
    )
    assert response.json()["accepted"] == 4


def export(client: httpx.Client, segment_id: str, **params: str) -> httpx.Response:
    return client.get(f"/v1/segments/{segment_id}/export", params={"as_of": AS_OF, **params})


def csv_rows(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


@pytest.mark.usefixtures("shop")
def test_an_export_leaves_out_contacts_without_consent_for_the_purpose(
    client: httpx.Client, segments: SegmentService
) -> None:
    buyers = segments.define_segment("Buyers", BUYERS, purpose="email_marketing")
    consent = post(
        client,
        "/v1/consent",
        "consent",
        grant("ann@acme.io"),
        grant("Bob@Acme.io"),
        grant("bob@acme.io", "withdrawn", at=20),
        grant("test@test.com"),
    )
    assert consent.status_code == 200, consent.json()
    assert consent.json() == {"recorded": 4}

    response = export(client, buyers.id)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="buyers-email.csv"'
    ann = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"}).json()["id"]
    assert csv_rows(response) == [["profile_id", "type", "value"], [ann, "email", "ann@acme.io"]]
    assert csv_rows(export(client, buyers.id, identifier="phone")) == [
        ["profile_id", "type", "value"]
    ]


@pytest.mark.usefixtures("shop")
def test_without_a_purpose_every_member_contact_is_exported_as_json_lines(
    client: httpx.Client, segments: SegmentService
) -> None:
    buyers = segments.define_segment("All buyers", BUYERS)

    response = export(client, buyers.id, identifier="email", format="jsonl")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert sorted((line["type"], line["value"]) for line in lines) == [
        ("email", "ann@acme.io"),
        ("email", "bob@acme.io"),
    ]
    assert all(line["profile_id"].startswith("prf_") for line in lines)
    phones = export(client, buyers.id, identifier="phone", format="jsonl").text.splitlines()
    assert [json.loads(line)["value"] for line in phones] == ["+14155550101"]


@pytest.mark.usefixtures("shop")
def test_the_export_is_evaluated_at_the_time_asked(
    client: httpx.Client, segments: SegmentService
) -> None:
    recent = segments.define_segment("Recent", {"event": {"type": "purchase", "within_days": 1}})

    early = export(client, recent.id, as_of=moment(150), format="jsonl").text.splitlines()
    later = export(client, recent.id, as_of=moment(250), format="jsonl").text.splitlines()

    assert [json.loads(line)["value"] for line in early] == ["ann@acme.io"]
    assert [json.loads(line)["value"] for line in later] == ["ann@acme.io", "bob@acme.io"]


def test_a_segment_is_exported_by_name_too_and_large_exports_stream(
    client: httpx.Client, segments: SegmentService
) -> None:
    people = [obs(f"o{n}", f"email:person{n:04d}@acme.io", at=n) for n in range(45)]
    for start in range(0, len(people), 15):
        assert (
            post(client, "/v1/observations", "observations", *people[start : start + 15]).json()[
                "accepted"
            ]
            == 15
        )
    segments.define_segment("Everyone", {"identifier": "email"})

    with client.stream("GET", "/v1/segments/Everyone/export") as response:
        assert response.status_code == 200
        body = b"".join(response.iter_bytes()).decode()

    values = [row[2] for row in csv.reader(io.StringIO(body))][1:]
    assert sorted(values) == [f"person{n:04d}@acme.io" for n in range(45)]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"identifier": "fax"}, 422, "identifier"),
        ({"format": "xml"}, 422, "format"),
        ({"as_of": "soon"}, 422, "as_of"),
    ],
)
def test_export_parameters_are_checked(
    client: httpx.Client, segments: SegmentService, params: dict[str, str], status: int, field: str
) -> None:
    segment = segments.define_segment("Any", {"all": []})

    response = client.get(f"/v1/segments/{segment.id}/export", params=params)

    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_an_unknown_segment_is_not_found(client: httpx.Client) -> None:
    response = client.get("/v1/segments/seg_nope/export")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert "seg_nope" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            {"consent": [grant("ann@acme.io"), grant("bob@acme.io", "maybe")]},
            422,
            "consent[1].status",
        ),
        ({"consent": [grant("ann@acme")]}, 422, "consent[0].identifier.value"),
        ({"consent": [grant("ann@acme.io", purpose="Email Marketing")]}, 422, "consent[0].purpose"),
        ({"consent": [grant("ann@acme.io", channel="x")]}, 422, "consent[0].channel"),
        ({"consent": {"purpose": "x"}}, 422, "consent"),
        ({"statements": []}, 422, "statements"),
        ({"consent": [grant(f"p{n}@acme.io") for n in range(51)]}, 413, None),
    ],
)
def test_invalid_consent_batches_are_refused_whole(
    client: httpx.Client,
    segments: SegmentService,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    response = client.post("/v1/consent", json=body)

    assert response.status_code == status, response.json()
    assert response.json()["error"]["field"] == field
    assert segments.store.consent_of_identifiers(["email:ann@acme.io"]) == {}


def test_consent_recorded_over_rest_is_what_segments_see(
    client: httpx.Client, segments: SegmentService
) -> None:
    post(client, "/v1/observations", "observations", obs("o1", "email:ann@acme.io", at=1))
    consented = {"consent": "email_marketing"}
    assert segments.preview(consented).size.size == 0

    post(client, "/v1/consent", "consent", grant("ann@acme.io", at=5))
    assert segments.preview(consented).size.size == 1
    post(client, "/v1/consent", "consent", grant("ann@acme.io", "withdrawn", at=4))
    assert segments.preview(consented).size.size == 1
    post(client, "/v1/consent", "consent", grant("ann@acme.io", "withdrawn", at=6))
    assert segments.preview(consented).size.size == 0


def test_consent_carried_by_an_observation_is_recorded_with_it(
    client: httpx.Client, segments: SegmentService
) -> None:
    """The `consent` list defaults each statement's source and time to the observation's and,
    without an `identifier`, applies it to every identifier the observation carries."""
    sign_up = obs("o1", "email:ann@acme.io", "phone:+14155550101", at=3)
    sign_up["consent"] = [{"purpose": "email_marketing", "status": "granted"}]
    accepted = post(client, "/v1/observations", "observations", sign_up)
    assert accepted.status_code == 200, accepted.json()

    states = segments.store.consent_of_identifiers(["email:ann@acme.io", "phone:+14155550101"])
    assert sorted(states) == ["email:ann@acme.io", "phone:+14155550101"]
    stated = states["email:ann@acme.io"][0]
    assert (stated.purpose, stated.status, stated.source) == (
        "email_marketing",
        "granted",
        sign_up["source"],
    )
    assert segments.preview({"consent": "email_marketing"}).size.size == 1


def test_an_observation_with_invalid_consent_is_rejected_naming_the_field(
    client: httpx.Client, segments: SegmentService
) -> None:
    bad = obs("o2", "email:bob@acme.io", at=3)
    bad["consent"] = [{"purpose": "email_marketing", "status": "maybe"}]
    response = post(client, "/v1/observations", "observations", bad)
    result = response.json()["results"][0]
    assert result["status"] == "rejected"
    assert result["field"].startswith("consent[0]")
    assert segments.store.consent_of_identifiers(["email:bob@acme.io"]) == {}
