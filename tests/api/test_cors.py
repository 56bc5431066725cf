"""Pages of other origins calling the API from a browser (`DATORA_CORS_ORIGINS`), checked as a
browser checks: the preflight a POST of JSON with a key needs, and the header an answer must
carry for the page to read it, a refusal included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.conftest import ServeApp, lose_a_table

from datora_graph.api import create_app
from datora_graph.config import Settings

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
PREFLIGHT = {"Access-Control-Request-Method": "POST"}


@pytest.fixture
def browser_server(
    settings: Settings, admin_token: str, serve_app: ServeApp
) -> Iterator[tuple[httpx.Client, str]]:
    allowed = settings.model_copy(update={"cors_origins": [APP]})
    with serve_app(create_app(allowed)) as url, httpx.Client(base_url=url) as client:
        yield client, admin_token


def test_a_configured_origin_may_call_the_api_from_a_page(
    browser_server: tuple[httpx.Client, str],
) -> None:
    client, token = browser_server
    preflight = client.options(
        "/graphql",
        headers={
            "Origin": APP,
            **PREFLIGHT,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    answer = client.post(
        "/graphql",
        json={"query": "{ insights { profiles } }"},
        headers={"Origin": APP, "Authorization": f"Bearer {token}"},
    )
    refused = client.get("/v1/stats", headers={"Origin": APP})

    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == APP
    allowed_headers = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-api-key"} <= set(allowed_headers.split(", "))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert refused.status_code == 401, "a key is still needed"
    assert refused.headers["access-control-allow-origin"] == APP, "so the page can read why"


def test_another_origin_is_not_answered_as_one(browser_server: tuple[httpx.Client, str]) -> None:
    client, token = browser_server
    preflight = client.options("/graphql", headers={"Origin": OTHER, **PREFLIGHT})
    answer = client.get("/v1/stats", headers={"Origin": OTHER, "Authorization": f"Bearer {token}"})

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert answer.status_code == 200, "the server answers; the browser keeps it from the page"
    assert "access-control-allow-origin" not in answer.headers


def test_without_origins_configured_no_answer_allows_a_page(client: httpx.Client) -> None:
    answer = client.get("/v1/stats", headers={"Origin": APP})

    assert answer.status_code == 200
    assert not [name for name in answer.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    "origin", ["https://app.example.com/", "app.example.com", "https://app.example.com/x"]
)
def test_an_origin_that_is_not_one_is_a_configuration_error(origin: str) -> None:
    with pytest.raises(ValueError, match="is not a web origin"):
        Settings(cors_origins=[origin])


@pytest.mark.parametrize("origin", ["*", "http://localhost:3000", "https://[::1]:8443"])
def test_origins_as_browsers_send_them_are_accepted(origin: str) -> None:
    assert Settings(cors_origins=[origin]).cors_origins == [origin]


def test_a_failure_nobody_expected_carries_the_header_too(
    browser_server: tuple[httpx.Client, str], db_path: Path
) -> None:
    client, token = browser_server
    lose_a_table(db_path)

    failed = client.get(
        "/v1/profiles/prf_0", headers={"Origin": APP, "Authorization": f"Bearer {token}"}
    )

    assert failed.status_code == 500, failed.text
    assert failed.json()["error"]["code"] == "INTERNAL"
    assert failed.headers["access-control-allow-origin"] == APP, "so the page can read the incident"
