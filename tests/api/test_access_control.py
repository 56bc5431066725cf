"""API keys on the REST API, over real HTTP: 401 without a usable key, 403 without the route's
scope, personal data hidden without `read:pii`, exports in the audit log, and development mode.

The policy is written out below (`REST_POLICY`, `HOLDERS`) as the README's access section states
it, and the refusals and passes are built from it, never from `auth.REST_SCOPES`: a wrong scope
in the code fails here instead of being copied into the expectation. `REST_POLICY` must equal
both `auth.REST_SCOPES` and the app's own OpenAPI routes, so a route added without deciding its
scope here fails `test_every_route_is_in_the_policy` (and needs `admin` meanwhile).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import ServeApp

from datora_graph.api import create_app
from datora_graph.api.auth import DEV_MODE_HEADER, REST_SCOPES, scope_for
from datora_graph.api.paths import GRAPHQL_PATH
from datora_graph.config import Settings
from datora_graph.domain.access import SCOPES, grants
from datora_graph.domain.audit import AuditFilter
from datora_graph.store import open_store

from .conftest import KeyedServer, key_name
from .payloads import event, obs
from .scopes import HOLDERS

REST_POLICY: dict[tuple[str, str], str | None] = {
    ("POST", "/v1/observations"): "ingest",
    ("POST", "/v1/events"): "ingest",
    ("POST", "/v1/consent"): "ingest",
    ("GET", "/v1/profiles/{profile_id}"): "read",
    ("GET", "/v1/profiles"): "read",
    ("GET", "/v1/profiles/{profile_id}/journey"): "read",
    ("GET", "/v1/rejected"): "read",
    ("GET", "/v1/stats"): "read",
    ("GET", "/v1/segments/{segment_id}/export"): "read:pii",
    ("POST", "/v1/access-requests"): "admin",
    ("POST", "/v1/erasures"): "admin",
    ("POST", "/v1/redactions"): "admin",
    ("GET", "/healthz"): None,
    ("GET", "/readyz"): None,
    ("GET", "/metrics"): None,
}
"""The scope each REST route needs (README, "Access control and audit"); None: open."""

PROBES: dict[tuple[str, str], tuple[dict[str, Any], Any, int]] = {
    ("POST", "/v1/observations"): ({}, {"observations": []}, 200),
    ("POST", "/v1/events"): ({}, {"events": []}, 200),
    ("POST", "/v1/consent"): ({}, {"consent": []}, 200),
    ("GET", "/v1/profiles/{profile_id}"): ({}, None, 404),
    ("GET", "/v1/profiles"): ({"identifier": "email:nobody@acme.io"}, None, 404),
    ("GET", "/v1/profiles/{profile_id}/journey"): ({}, None, 404),
    ("GET", "/v1/rejected"): ({}, None, 200),
    ("GET", "/v1/stats"): ({}, None, 200),
    ("GET", "/v1/segments/{segment_id}/export"): ({"identifier": "email"}, None, 404),
    ("POST", "/v1/access-requests"): ({}, {"profile": "prf_nobody", "reason": "test"}, 404),
    ("POST", "/v1/erasures"): ({}, {"profile": "prf_nobody", "reason": "access test"}, 404),
    ("POST", "/v1/redactions"): (
        {},
        {"kind": "event", "record_id": "e-nobody", "fields": ["x"], "reason": "access test"},
        404,
    ),
}
"""A call per guarded route that its handler answers without changing the (shared, empty)
store: its query parameters, body and the status a key holding the scope gets (404: nobody
has the ID the call names)."""

ROUTES = sorted(
    (method.upper(), path)
    for path, operations in create_app(Settings(db=Path("unused.db"))).openapi()["paths"].items()
    for method in operations
    if path != GRAPHQL_PATH
)
GUARDED = {route: scope for route, scope in REST_POLICY.items() if scope is not None}
REFUSALS = [
    (method, path, scope)
    for (method, path), needed in sorted(GUARDED.items())
    for scope in sorted(HOLDERS)
    if scope not in HOLDERS[needed]
]
ALLOWED = [
    (method, path, scope)
    for (method, path), needed in sorted(GUARDED.items())
    for scope in sorted(HOLDERS[needed])
]


def url_of(path: str) -> str:
    return path.replace("{profile_id}", "prf_nobody").replace("{segment_id}", "seg_nobody")


@pytest.fixture
def anonymous(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture
def shared(keyed_server: KeyedServer) -> Iterator[httpx.Client]:
    """A client without a key of the module's shared server (`keyed_server`)."""
    with httpx.Client(base_url=keyed_server[0], timeout=30) as http:
        yield http


def call(http: httpx.Client, method: str, path: str, **headers: str) -> httpx.Response:
    params, body, _ = PROBES[method, path]
    return http.request(method, url_of(path), params=params, headers=headers, json=body)


def test_the_policy_is_the_one_in_the_code() -> None:
    assert REST_SCOPES == REST_POLICY


def test_every_route_is_in_the_policy() -> None:
    assert sorted(REST_POLICY) == ROUTES, "decide the route's scope in REST_POLICY and auth.py"


def test_every_guarded_route_has_a_probe() -> None:
    assert sorted(PROBES) == sorted(GUARDED)


def test_the_scopes_imply_what_the_readme_says() -> None:
    assert sorted(SCOPES) == sorted(HOLDERS)
    for needed, holders in HOLDERS.items():
        for held in SCOPES:
            assert grants(frozenset({held}), needed) == (held in holders), (held, needed)


@pytest.mark.parametrize(("method", "path"), sorted(REST_POLICY))
def test_a_request_needs_its_routes_scope(method: str, path: str) -> None:
    assert scope_for(method, url_of(path)) == REST_POLICY[method, path]


def test_a_route_missing_from_the_table_needs_admin() -> None:
    assert scope_for("DELETE", "/v1/profiles/prf_1") == "admin"
    assert scope_for("GET", "/v1/anything-new") == "admin"


@pytest.mark.parametrize(("method", "path"), sorted(GUARDED))
def test_a_call_without_a_key_is_401(shared: httpx.Client, method: str, path: str) -> None:
    response = call(shared, method, path)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer dtr_not-a-key"},
        {"X-API-Key": "dtr_not-a-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["unknown-bearer", "unknown-x-api-key", "wrong-scheme"],
)
def test_an_unusable_key_is_401(shared: httpx.Client, headers: dict[str, str]) -> None:
    response = shared.get("/v1/stats", headers=headers)

    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_a_revoked_key_is_401_at_once(
    anonymous: httpx.Client, settings: Settings, keys: dict[str, dict[str, str]]
) -> None:
    assert anonymous.get("/v1/stats", headers=keys["read"]).status_code == 200
    store = open_store(settings)
    try:
        from datora_graph.access_service import revoke_key

        revoke_key(store, "key-read", actor="cli:test")
    finally:
        store.close()

    response = anonymous.get("/v1/stats", headers=keys["read"])

    assert response.status_code == 401
    assert "key-read" in response.json()["error"]["message"]
    assert "revoked" in response.json()["error"]["message"]


def test_the_key_may_come_as_x_api_key(shared: httpx.Client, keyed_server: KeyedServer) -> None:
    token = keyed_server[1]["read"]["Authorization"].removeprefix("Bearer ")

    assert shared.get("/v1/stats", headers={"X-API-Key": token}).status_code == 200


def test_two_different_keys_in_one_request_are_refused(
    shared: httpx.Client, keyed_server: KeyedServer
) -> None:
    """Serving either would be a choice the caller did not make: a key with more scopes than
    they meant to use, or the audit naming another key."""
    read = keyed_server[1]["read"]["Authorization"].removeprefix("Bearer ")
    admin = keyed_server[1]["admin"]["Authorization"].removeprefix("Bearer ")
    both = [
        [("Authorization", f"Bearer {read}"), ("X-API-Key", admin)],
        [("X-API-Key", read), ("X-API-Key", admin)],
        [("Authorization", f"Bearer {read}"), ("Authorization", f"Bearer {admin}")],
    ]

    for headers in both:
        response = shared.get("/v1/stats", headers=headers)
        assert response.status_code == 401, response.text
        assert "2 different API keys" in response.json()["error"]["message"]
    same = [("Authorization", f"Bearer {read}"), ("X-API-Key", read)]
    assert shared.get("/v1/stats", headers=same).status_code == 200, "one key, said twice"


@pytest.mark.parametrize(("method", "path", "scope"), REFUSALS)
def test_each_scope_is_refused_where_it_should_be(
    shared: httpx.Client,
    keyed_server: KeyedServer,
    method: str,
    path: str,
    scope: str,
) -> None:
    response = call(shared, method, path, **keyed_server[1][scope])

    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "FORBIDDEN"
    assert f"'{GUARDED[method, path]}'" in error["message"]
    assert key_name(scope) in error["message"]


@pytest.mark.parametrize(("method", "path", "scope"), ALLOWED)
def test_each_scope_passes_where_it_should(
    shared: httpx.Client,
    keyed_server: KeyedServer,
    method: str,
    path: str,
    scope: str,
) -> None:
    response = call(shared, method, path, **keyed_server[1][scope])

    assert response.status_code == PROBES[method, path][2], response.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
def test_health_and_the_docs_are_open(shared: httpx.Client, path: str) -> None:
    assert shared.get(path).status_code == 200


def ingest_ann(client: httpx.Client) -> str:
    observations = [
        obs("o1", "email:ann@acme.io", "phone:+14155550101", first_name="Ann", city="Oslo")
    ]
    assert client.post("/v1/observations", json={"observations": observations}).is_success
    events = [event("e1", "purchase", "email:ann@acme.io", at=1, revenue=30, note="to Ann Lee")]
    assert client.post("/v1/events", json={"events": events}).is_success
    bad = [{"id": "bad", "source": "crm", "identifiers": [{"type": "email", "value": "x@y.io"}]}]
    client.post("/v1/observations", json={"observations": bad})
    value = {"type": "email", "value": "zed at y.io"}
    quoted = [{**obs("quoted", "email:ann@acme.io"), "identifiers": [value]}]
    client.post("/v1/observations", json={"observations": quoted})
    profile_id: str = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"}).json()[
        "id"
    ]
    return profile_id


def test_personal_data_is_hidden_without_read_pii(
    client: httpx.Client, anonymous: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    profile_id = ingest_ann(client)

    def read(scope: str, url: str, **params: Any) -> Any:
        response = anonymous.get(url, params=params, headers=keys[scope])
        assert response.status_code == 200, response.text
        return response.json()

    masked = read("read", f"/v1/profiles/{profile_id}")
    shown = read("read:pii", f"/v1/profiles/{profile_id}")
    journey = read("read", f"/v1/profiles/{profile_id}/journey")
    rejected = read("read", "/v1/rejected")

    assert {i["value"] for i in masked["identifiers"]} == {"***"}
    assert {i["type"] for i in masked["identifiers"]} == {"email", "phone"}
    assert masked["attributes"] == {"first_name": "***", "city": "***"}
    assert masked["id"] == shown["id"] == profile_id
    assert {i["value"] for i in shown["identifiers"]} == {"ann@acme.io", "+14155550101"}
    assert shown["attributes"] == {"first_name": "Ann", "city": "Oslo"}
    assert journey["events"][0]["identifiers"] == [{"type": "email", "value": "***"}]
    assert journey["events"][0]["properties"] == {"revenue": 30, "note": "***"}
    whole = read("read:pii", f"/v1/profiles/{profile_id}/journey")["events"][0]["properties"]
    assert whole == {"revenue": 30, "note": "to Ann Lee"}
    assert [r["payload"] for r in rejected["items"]] == ["***", "***"]
    assert "x@y.io" in read("admin", "/v1/rejected")["items"][0]["payload"]
    reasons = [r["reason"] for r in rejected["items"]]
    assert "email '***' is not an email address" in reasons[1]
    assert "zed at y.io" in read("admin", "/v1/rejected")["items"][1]["reason"]
    by_identifier = read("read", "/v1/profiles", identifier="email:ann@acme.io")
    assert by_identifier["attributes"] == {"first_name": "***", "city": "***"}


def test_a_segment_export_is_audited_with_the_key_name(
    client: httpx.Client,
    anonymous: httpx.Client,
    keys: dict[str, dict[str, str]],
    settings: Settings,
) -> None:
    ingest_ann(client)
    defined = client.post(
        "/graphql",
        json={
            "query": 'mutation { defineSegment(name: "Everyone", '
            'definition: {identifier: "email"}) { id } }'
        },
    ).json()
    segment_id = defined["data"]["defineSegment"]["id"]

    response = anonymous.get(f"/v1/segments/{segment_id}/export", headers=keys["read:pii"])

    assert response.status_code == 200, response.text
    assert "ann@acme.io" in response.text
    store = open_store(settings)
    try:
        entries = store.list_audit(AuditFilter(action="segment_export")).items
    finally:
        store.close()
    assert [(e.actor, e.subject) for e in entries] == [("key-read-pii", segment_id)]
    assert entries[0].details["identifier"] == "email"


def test_a_refused_export_is_not_audited(
    client: httpx.Client, anonymous: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    response = anonymous.get("/v1/segments/seg_x/export", headers=keys["read"])

    assert response.status_code == 403
    log = client.post("/graphql", json={"query": "{ auditLog { edges { node { action } } } }"})
    assert [e["node"]["action"] for e in log.json()["data"]["auditLog"]["edges"]] == [
        "key_create"
    ] * (1 + len(SCOPES))


def test_development_mode_needs_no_key_and_says_so(
    settings: Settings, serve_app: ServeApp, caplog: pytest.LogCaptureFixture
) -> None:
    dev = settings.model_copy(update={"auth_dev_mode": True})
    with caplog.at_level(logging.WARNING, logger="datora_graph.api.auth"):
        app = create_app(dev)
    assert "DEVELOPMENT MODE" in caplog.text
    assert "authentication is OFF" in caplog.text

    with serve_app(app) as url:
        stats = httpx.get(f"{url}/v1/stats")
        health = httpx.get(f"{url}/healthz")

    assert stats.status_code == 200
    assert stats.headers[DEV_MODE_HEADER] == "no authentication"
    assert health.headers[DEV_MODE_HEADER] == "no authentication"


def test_without_development_mode_responses_are_not_marked(client: httpx.Client) -> None:
    assert DEV_MODE_HEADER.lower() not in client.get("/v1/stats").headers
