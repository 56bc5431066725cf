"""Health, readiness, statistics, OpenAPI, and the shape of errors."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from datora_graph.api import create_app
from datora_graph.api.errors import status_of
from datora_graph.config import Settings
from datora_graph.domain.errors import (
    ConfigurationError,
    Conflict,
    DatoraError,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    StoreUnavailable,
)
from datora_graph.services import IdentityService
from datora_graph.store import open_store

from .payloads import event, obs

ServeApp = Callable[[FastAPI], AbstractContextManager[str]]


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_not_ready_while_a_rebuild_runs(settings: Settings, serve_app: ServeApp) -> None:
    store = open_store(settings)
    try:
        with serve_app(create_app(settings, IdentityService(store, settings))) as url:
            store.reset_derived()  # what a rebuild does first; finish_rebuild ends it
            during = httpx.get(f"{url}/readyz")
            store.finish_rebuild()
            after = httpx.get(f"{url}/readyz")
        store.ping()  # the app did not close a store it was handed
    finally:
        store.close()

    assert during.status_code == 503
    assert during.json()["error"]["code"] == "UNAVAILABLE"
    assert "rebuild" in during.json()["error"]["message"]
    assert after.status_code == 200


def test_stats_count_what_was_ingested(client: httpx.Client) -> None:
    client.post(
        "/v1/observations",
        json={"observations": [obs("o1", "email:a@acme.io", "phone:+14155550101"), {}]},
    )
    client.post("/v1/events", json={"events": [event("e1", "page_view", "email:a@acme.io")]})

    stats = client.get("/v1/stats").json()

    assert stats["observations"] == 1
    assert stats["events"] == 1
    assert stats["rejections"] == 1
    assert stats["profiles"] == 1
    assert stats["identifiers"] == 2
    assert stats["identifiers_by_type"] == {"email": 1, "phone": 1}


def test_openapi_documents_every_endpoint(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    docs = client.get("/docs")

    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert {
        "/v1/observations",
        "/v1/events",
        "/v1/profiles",
        "/v1/profiles/{profile_id}",
        "/v1/profiles/{profile_id}/journey",
        "/v1/rejected",
        "/v1/stats",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= set(spec["paths"])
    assert "text/plain" in spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    ingest = spec["paths"]["/v1/observations"]["post"]
    body = ingest["requestBody"]["content"]["application/json"]["schema"]
    item = body["properties"]["observations"]["items"]
    assert {"id", "source", "observed_at", "identifiers"} <= set(item["required"])
    assert "$ref" not in str(body)
    assert {"200", "413", "422"} <= set(ingest["responses"])
    assert "ProfileOut" in spec["components"]["schemas"]


def test_an_unknown_endpoint_has_the_error_shape(client: httpx.Client) -> None:
    response = client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert "/docs" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("first", "is too big"), 422),
        (NotFound("no such profile"), 404),
        (LimitExceeded("too big"), 413),
        (Forbidden("not yours"), 403),
        (StoreUnavailable("down"), 503),
        (Conflict("taken"), 409),
        (ConfigurationError("DATORA_JUNK is not JSON"), 500),
        (DatoraError("something else"), 500),
    ],
)
def test_each_domain_error_has_one_status(error: DatoraError, status: int) -> None:
    assert status_of(error) == status


def test_openapi_says_what_the_server_refuses_and_answers(client: httpx.Client) -> None:
    """A client generated from the document sends what the server takes: unknown fields are
    refused (422), and /graphql is described as it answers."""
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]

    def body_of(path: str) -> dict[str, Any]:
        schema: dict[str, Any] = paths[path]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]
        return schema

    for path, items in [
        ("/v1/observations", "observations"),
        ("/v1/events", "events"),
        ("/v1/consent", "consent"),
    ]:
        body = body_of(path)
        assert body["additionalProperties"] is False, path
        assert body["properties"][items]["items"]["additionalProperties"] is False, path
    erasure = body_of("/v1/erasures")["$ref"].rpartition("/")[2]
    assert spec["components"]["schemas"][erasure]["additionalProperties"] is False

    graphiql = paths["/graphql"]["get"]["responses"]["200"]["content"]
    assert set(graphiql) == {"text/html"}
    graphql = paths["/graphql"]["post"]
    assert body_of("/graphql")["required"] == ["query"]
    assert {"200", "400"} <= set(graphql["responses"])
