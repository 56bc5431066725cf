"""Redaction over REST and GraphQL, on a real server: Bob's record loses the field that still
wrote Ann's value, his golden attributes follow, the audit log names the key and the fields,
and only an `admin` key may redact."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.api.graphql.conftest import GraphQLClient

from datora_graph.api.graphql.privacy_fields import RedactionKind
from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.redaction import REDACTION_KINDS
from datora_graph.store import open_store
from datora_graph.store.steward_rows import decision_body

from .payloads import SPLIT_BOB, event, obs

REDACT = """
mutation($kind: RedactionKind!, $recordId: ID!, $fields: [String!]!, $reason: String!) {
  redactRecord(kind: $kind, recordId: $recordId, fields: $fields, reason: $reason) {
    kind recordId fields auditId profilesRecomputed
  }
}
"""


def bob_refers_ann(client: httpx.Client) -> str:
    """Bob's record naming Ann as his referrer, his purchase as a gift to her; Bob's ID."""
    items = [obs("o1", "email:bob@acme.io", at=1, referrer_email="ann@acme.io", city="Paris")]
    assert client.post("/v1/observations", json={"observations": items}).json()["accepted"] == 1
    events = [event("e1", "purchase", "email:bob@acme.io", at=2, revenue=30, gift_to="ann")]
    assert client.post("/v1/events", json={"events": events}).json()["accepted"] == 1
    bob: str = client.get("/v1/profiles", params={"identifier": "email:bob@acme.io"}).json()["id"]
    return bob


def redactions_of(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    store = open_store(settings)
    try:
        entries = store.list_audit(AuditFilter(action="redaction")).items
        return [(e.actor, e.reason, dict(e.details)) for e in entries]
    finally:
        store.close()


def test_an_admin_key_redacts_an_observation_over_rest(
    client: httpx.Client, settings: Settings
) -> None:
    bob = bob_refers_ann(client)

    response = client.post(
        "/v1/redactions",
        json={
            "kind": "observation",
            "record_id": "o1",
            "fields": ["referrer_email"],
            "reason": "GDPR request 7",
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "kind": "observation",
        "record_id": "o1",
        "fields": ["referrer_email"],
        "audit_id": body["audit_id"],
        "profiles_recomputed": [bob],
    }
    assert client.get(f"/v1/profiles/{bob}").json()["attributes"] == {"city": "Paris"}
    assert redactions_of(settings) == [
        (
            "test-admin",
            "GDPR request 7",
            {
                "kind": "observation",
                "record_id": "o1",
                "fields": ["referrer_email"],
                "decisions_scrubbed": 0,
            },
        )
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "observation", "record_id": "o9", "fields": ["city"]}, 404, None),
        ({"kind": "event", "record_id": "e1", "fields": ["colour"]}, 422, "fields[0]"),
        ({"kind": "observation", "record_id": "o1", "fields": ["city", "town"]}, 422, "fields[1]"),
        ({"kind": "observation", "record_id": "o1", "fields": []}, 422, "fields"),
        ({"kind": "observation", "record_id": "o1", "fields": ["city", " "]}, 422, "fields[1]"),
        ({"kind": "note", "record_id": "o1", "fields": ["city"]}, 422, "kind"),
    ],
)
def test_a_redaction_that_cannot_be_made_is_refused_naming_the_field(
    client: httpx.Client,
    settings: Settings,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    bob = bob_refers_ann(client)

    response = client.post("/v1/redactions", json={**body, "reason": "r"})

    assert response.status_code == status, response.text
    assert response.json()["error"].get("field") == field
    assert "referrer_email" in client.get(f"/v1/profiles/{bob}").json()["attributes"]
    assert redactions_of(settings) == []


def test_the_api_document_refuses_what_the_server_refuses(client: httpx.Client) -> None:
    """A client generated from /openapi.json sends at least one field, none of them blank."""
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/redactions"]["post"]["requestBody"]["content"]["application/json"]
    fields = spec["components"]["schemas"][body["schema"]["$ref"].rpartition("/")[2]]
    fields = fields["properties"]["fields"]

    assert fields["minItems"] == 1
    assert fields["items"] == {"type": "string", "pattern": r"\S"}


def test_redact_an_event_over_graphql(
    client: httpx.Client, graphql_client: GraphQLClient, settings: Settings
) -> None:
    bob = bob_refers_ann(client)

    done = graphql_client.data(
        REDACT, kind="EVENT", recordId="e1", fields=["gift_to", "revenue"], reason="GDPR 8"
    )["redactRecord"]

    assert done == {
        "kind": "EVENT",
        "recordId": "e1",
        "fields": ["gift_to", "revenue"],
        "auditId": done["auditId"],
        "profilesRecomputed": [],
    }
    journey = client.get(f"/v1/profiles/{bob}/journey").json()
    assert [e["properties"] for e in journey["events"]] == [{}]
    [(actor, reason, details)] = redactions_of(settings)
    assert (actor, reason, details["fields"]) == ("test-admin", "GDPR 8", ["gift_to", "revenue"])
    refused = graphql_client.error(
        REDACT, kind="OBSERVATION", recordId="o1", fields=["town"], reason="x"
    )
    assert refused["extensions"]["code"] == "INVALID_INPUT"
    assert "fields[0]: observation o1 has no attribute 'town'" in refused["message"]


def test_only_an_admin_key_may_redact(
    client: httpx.Client, server: str, settings: Settings, keys: dict[str, dict[str, str]]
) -> None:
    bob_refers_ann(client)
    body = {"kind": "observation", "record_id": "o1", "fields": ["city"], "reason": "x"}
    with httpx.Client(base_url=server, timeout=30, headers=keys["steward"]) as http:
        rest = http.post("/v1/redactions", json=body)
        error = GraphQLClient(http).error(
            REDACT, kind="OBSERVATION", recordId="o1", fields=["city"], reason="x"
        )

    assert rest.status_code == 403
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert redactions_of(settings) == []


def test_a_redaction_scrubs_the_steward_decisions_that_snapshotted_the_record(
    client: httpx.Client, graphql_client: GraphQLClient, settings: Settings
) -> None:
    bob = bob_refers_ann(client)
    more = [obs("o2", "email:bob@acme.io", "cookie_id:c-bob", at=3)]
    assert client.post("/v1/observations", json={"observations": more}).json()["accepted"] == 1
    split = graphql_client.data(SPLIT_BOB, id=bob)["splitProfile"]["id"]
    body = {"kind": "observation", "record_id": "o1", "fields": ["referrer_email"]}

    done = client.post("/v1/redactions", json={**body, "reason": "GDPR request 12"}).json()

    log = graphql_client.data("{ decisions { edges { node { id details } } } }")["decisions"]
    [node] = [e["node"] for e in log["edges"]]
    assert node["id"] == split
    assert node["details"]["scrubbed_by"] == [done["audit_id"]]
    [(_, _, details)] = redactions_of(settings)
    assert details["decisions_scrubbed"] == 1
    store = open_store(settings)
    try:
        kept = store.get_decisions([split])[split]
    finally:
        store.close()
    assert "ann@acme.io" not in decision_body(kept, kept.created)


def test_graphql_offers_exactly_the_kinds_of_record_a_redaction_takes() -> None:
    """A decision is scrubbed by a redaction, never redacted itself: the mutation's enum
    (`RedactionKind`) offers what the service takes, and the mention report's enum is apart."""
    assert {kind.value for kind in RedactionKind} == set(REDACTION_KINDS)
