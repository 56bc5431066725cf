"""Query parameters a REST route does not declare are refused with a 422 naming them, not
ignored: `?type=purchase` on the journey (which takes `types`) answered every event type.

Tests that read only their own records share the module's server (`module_client`); those
that read the whole store, or need a client without a key, keep one of their own."""

from __future__ import annotations

import httpx
from tests.conftest import unique

from .payloads import event
from .test_ingest import error_of
from .test_journey import ann, ids, journey, post

JOURNEY_TAKES = "it takes first, after, types, since, until, order"


def test_a_misspelt_journey_filter_is_refused_naming_the_intended_one(
    module_client: httpx.Client,
) -> None:
    person = ann(module_client)

    response = module_client.get(
        f"/v1/profiles/{person.profile_id}/journey", params={"type": "purchase"}
    )

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "type")
    assert error["message"] == (
        f"type: is not a parameter of this endpoint (did you mean types?); {JOURNEY_TAKES}"
    )


def test_the_journey_filters_it_declares_still_filter(module_client: httpx.Client) -> None:
    person = ann(module_client)
    e1, e2, e3 = (unique(name) for name in ("e1", "e2", "e3"))
    post(
        module_client,
        "/v1/events",
        "events",
        event(e1, "page_view", person.email, at=10),
        event(e2, "purchase", person.email, at=20),
        event(e3, "purchase", person.email, at=30),
    )

    page = journey(
        module_client, person.profile_id, types="purchase", first=1, since="2026-05-01T09:15:00Z"
    )

    assert ids(page) == [e2]
    after = page["page_info"]["end_cursor"]
    assert ids(journey(module_client, person.profile_id, after=after)) == [e3]


def test_every_stray_parameter_is_named_and_case_slips_are_caught(
    module_client: httpx.Client,
) -> None:
    person = ann(module_client)

    response = module_client.get(
        f"/v1/profiles/{person.profile_id}/journey", params={"Types": "purchase", "sort": "desc"}
    )

    assert response.status_code == 422
    assert error_of(response)["message"] == (
        "Types: is not a parameter of this endpoint (did you mean types?); "
        f"{JOURNEY_TAKES} (nor is sort)"
    )


def test_a_rejections_parameter_far_from_any_is_refused_without_a_guess(
    module_client: httpx.Client,
) -> None:
    response = module_client.get("/v1/rejected", params={"status": "rejected", "limit": 5})

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "status"
    assert error["message"] == (
        "status: is not a parameter of this endpoint; it takes kind, after, limit"
    )


def test_the_rejections_parameters_it_declares_still_apply(client: httpx.Client) -> None:
    bad = {"id": "bad", "type": "x", "source": "web", "identifiers": []}
    client.post("/v1/events", json={"events": [bad]})

    response = client.get("/v1/rejected", params={"kind": "event", "limit": 1})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == ["bad"]
    assert client.get("/v1/rejected", params={"kind": "observation"}).json()["items"] == []


def test_a_route_taking_no_parameters_says_so(module_client: httpx.Client) -> None:
    person = ann(module_client)

    response = module_client.get(f"/v1/profiles/{person.profile_id}", params={"fields": "id"})

    assert response.status_code == 422
    assert error_of(response)["message"] == (
        "fields: is not a parameter of this endpoint; it takes no query parameters"
    )


def test_a_stray_parameter_on_an_ingest_route_refuses_the_batch_unread(
    client: httpx.Client,
) -> None:
    """`?dry_run=1` is not something the service does: the batch is not ingested as if real."""
    body = {"observations": [{"id": "o9", "source": "crm", "observed_at": "2026-05-01T10:00:00Z"}]}

    response = client.post("/v1/observations", params={"dry_run": "1"}, json=body)

    assert response.status_code == 422
    assert error_of(response)["field"] == "dry_run"
    assert client.get("/v1/stats").json()["observations"] == 0


def test_a_single_value_parameter_given_twice_is_refused(module_client: httpx.Client) -> None:
    """FastAPI would keep the last `types` and drop `purchase` without a word."""
    person = ann(module_client)

    response = module_client.get(
        f"/v1/profiles/{person.profile_id}/journey?types=purchase&types=page_view&first=5"
    )

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "types"
    assert error["message"] == (
        "types: was given 2 times, and takes one value (Event types, comma-separated)"
    )


def test_a_parameter_without_a_name_is_refused(module_client: httpx.Client) -> None:
    response = module_client.get("/v1/rejected?=5")

    assert response.status_code == 422
    assert error_of(response)["field"] == "query"


def test_the_probes_and_the_documents_still_answer_with_a_query_string(server: str) -> None:
    """Probes take no input, and a monitor's cache-buster must not make a healthy server
    look down; the documents are not API routes."""
    with httpx.Client(base_url=server, timeout=30) as anonymous:
        assert anonymous.get("/healthz", params={"_": "1715"}).json() == {"status": "ok"}
        assert anonymous.get("/readyz", params={"_": "1715"}).json() == {"status": "ok"}
        assert anonymous.get("/openapi.json").status_code == 200
        assert anonymous.get("/docs").status_code == 200


def test_a_caller_without_a_key_is_refused_for_the_key_first(server: str) -> None:
    """Access is checked before anything else: a stray parameter tells a stranger nothing."""
    with httpx.Client(base_url=server, timeout=30) as anonymous:
        response = anonymous.get("/v1/rejected", params={"status": "rejected"})

    assert response.status_code == 401


def test_the_openapi_document_lists_no_new_parameter(server: str) -> None:
    """The check is a dependency without parameters of its own: the documented API is as
    before."""
    with httpx.Client(base_url=server, timeout=30) as anonymous:
        paths = anonymous.get("/openapi.json").json()["paths"]

    declared = [p["name"] for p in paths["/v1/profiles/{profile_id}/journey"]["get"]["parameters"]]
    assert declared == ["profile_id", "first", "after", "types", "since", "until", "order"]
    assert "parameters" not in paths["/v1/stats"]["get"]
