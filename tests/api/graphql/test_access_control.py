"""API keys on GraphQL, over real HTTP: 401 without a key, FORBIDDEN for every top-level field
a scope may not run, personal data masked without `read:pii`, and the audit log query.

The policy is written out below (`FIELD_POLICY`, `HOLDERS`) as the README's access section
states it, and the refusals and passes are built from it, never from `access.FIELD_SCOPES`: a
wrong scope in the code fails here instead of being copied into the expectation.
`FIELD_POLICY` must equal both `access.FIELD_SCOPES` and the schema's top-level fields, so a
field added without deciding its scope here fails `test_every_top_level_field_is_in_the_policy`
(and needs `admin` meanwhile).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from datora_graph.api.graphql import schema
from datora_graph.api.graphql.access import FIELD_SCOPES, scope_of_field
from datora_graph.domain.access import SCOPES

from ..conftest import KeyedServer, key_name
from ..payloads import event, obs
from ..scopes import HOLDERS
from .conftest import GraphQLClient

FIELD_POLICY: dict[str, dict[str, str]] = {
    "Query": {
        "profile": "read",
        "profileByIdentifier": "read",
        "profiles": "read",
        "segment": "read",
        "segments": "read",
        "previewSegment": "read",
        "insights": "read",
        "reviewQueue": "steward",
        "explain": "steward",
        "whyMerged": "steward",
        "splitProposals": "steward",
        "decisions": "steward",
        "auditLog": "steward",
    },
    "Mutation": {
        "ingestObservations": "ingest",
        "ingestEvents": "ingest",
        "recordConsent": "ingest",
        "defineSegment": "steward",
        "updateSegment": "steward",
        "deleteSegment": "steward",
        "splitProfile": "steward",
        "mergeProfiles": "steward",
        "resolveReviewItem": "steward",
        "undoDecision": "steward",
        "answerAccessRequest": "admin",
        "eraseProfile": "admin",
        "redactRecord": "admin",
    },
}
"""The scope each top-level field needs (README, "Access control and audit")."""

ROOTS = {"Query": "query", "Mutation": "mutation"}
FIELDS = sorted(
    (root, name)
    for root in ROOTS
    for name in schema._schema.get_type(root).fields  # type: ignore[union-attr]
)
POLICY_FIELDS = sorted((root, name) for root, fields in FIELD_POLICY.items() for name in fields)
REFUSALS = [
    (root, name, scope)
    for root, name in POLICY_FIELDS
    for scope in sorted(HOLDERS)
    if scope not in HOLDERS[FIELD_POLICY[root][name]]
]
ALLOWED = [
    (root, name, scope)
    for root, name in POLICY_FIELDS
    for scope in sorted(HOLDERS[FIELD_POLICY[root][name]])
]


def post(server: str, query: str, headers: dict[str, str], **variables: Any) -> httpx.Response:
    return httpx.post(
        f"{server}/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def test_the_policy_is_the_one_in_the_code() -> None:
    assert FIELD_SCOPES == FIELD_POLICY


def test_every_top_level_field_is_in_the_policy() -> None:
    assert FIELDS == POLICY_FIELDS, "decide the field's scope in FIELD_POLICY and access.py"


@pytest.mark.parametrize(("root", "name"), POLICY_FIELDS)
def test_a_field_needs_its_scope(root: str, name: str) -> None:
    assert scope_of_field(root, name) == FIELD_POLICY[root][name]


def test_a_field_missing_from_the_table_needs_admin() -> None:
    assert scope_of_field("Query", "somethingNew") == "admin"
    assert scope_of_field("Mutation", "eraseEverything") == "admin"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer dtr_nope"}], ids=["no-key", "unknown-key"]
)
def test_a_call_without_a_usable_key_is_401(
    keyed_server: KeyedServer, headers: dict[str, str]
) -> None:
    response = post(keyed_server[0], "{ insights { profiles } }", headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(("root", "name", "scope"), REFUSALS)
def test_each_scope_is_refused_where_it_should_be(
    keyed_server: KeyedServer, root: str, name: str, scope: str
) -> None:
    server, keys = keyed_server
    response = post(server, f"{ROOTS[root]} {{ {name} }}", keys[scope])

    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None
    assert len(answer["errors"]) == 1, answer
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["path"] == [name]
    assert f"{root}.{name}" in error["message"]
    assert f"'{FIELD_POLICY[root][name]}'" in error["message"]
    assert key_name(scope) in error["message"]


@pytest.mark.parametrize(("root", "name", "scope"), ALLOWED)
def test_the_right_scope_gets_past_the_check(
    keyed_server: KeyedServer, root: str, name: str, scope: str
) -> None:
    """`{ field }` without its arguments or selection: validation, not access, refuses it."""
    server, keys = keyed_server
    response = post(server, f"{ROOTS[root]} {{ {name} }}", keys[scope])

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer.get("data") is None
    assert answer["errors"], answer
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"INVALID_INPUT"}, answer


def test_one_refused_field_refuses_the_whole_operation(keyed_server: KeyedServer) -> None:
    server, keys = keyed_server
    query = "{ insights { profiles } x: reviewQueue { edges { cursor } } }"

    answer = post(server, query, keys["read"]).json()

    assert answer["data"] is None
    assert [e["path"] for e in answer["errors"]] == [["x"]]


def test_fragments_at_the_root_are_checked(keyed_server: KeyedServer) -> None:
    server, keys = keyed_server
    query = """query { ...Q ... on Query { insights { profiles } } }
      fragment Q on Query { reviewQueue { edges { cursor } } }"""

    answer = post(server, query, keys["read"]).json()

    assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]


def test_introspection_is_open_to_any_key(keyed_server: KeyedServer) -> None:
    server, keys = keyed_server
    answer = post(server, "{ __typename __schema { queryType { name } } }", keys["ingest"]).json()

    assert answer == {"data": {"__typename": "Query", "__schema": {"queryType": {"name": "Query"}}}}


def test_an_unknown_field_is_invalid_not_forbidden(keyed_server: KeyedServer) -> None:
    server, keys = keyed_server
    answer = post(server, "{ nothingLikeThis }", keys["ingest"]).json()

    assert [e["extensions"]["code"] for e in answer["errors"]] == ["INVALID_INPUT"]


PROFILE = """query ($id: ID!) { profile(id: $id) {
  attributes identifiers { type value key }
  journey { edges { node { identifiers { value key } properties } } } } }"""


def test_personal_data_is_masked_without_read_pii(
    client: httpx.Client, server: str, keys: dict[str, dict[str, str]]
) -> None:
    observations = [obs("o1", "email:ann@acme.io", first_name="Ann")]
    client.post("/v1/observations", json={"observations": observations})
    gift = event("e1", "purchase", "email:ann@acme.io", sku="SKU-1", gift_note="for Ann")
    client.post("/v1/events", json={"events": [gift]})
    profile_id = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"}).json()["id"]

    masked = post(server, PROFILE, keys["read"], id=profile_id).json()["data"]["profile"]
    shown = post(server, PROFILE, keys["read:pii"], id=profile_id).json()["data"]["profile"]
    rest = client.get(f"/v1/profiles/{profile_id}", headers=keys["read"]).json()

    assert masked["attributes"] == {"first_name": "***"} == rest["attributes"]
    assert masked["identifiers"] == [{"type": "email", "value": "***", "key": "email:***"}]
    assert rest["identifiers"][0]["value"] == "***"
    assert masked["journey"]["edges"][0]["node"]["identifiers"] == [
        {"value": "***", "key": "email:***"}
    ]
    assert masked["journey"]["edges"][0]["node"]["properties"] == {
        "sku": "SKU-1",
        "gift_note": "***",
    }
    assert shown["journey"]["edges"][0]["node"]["properties"]["gift_note"] == "for Ann"
    assert shown["attributes"] == {"first_name": "Ann"}
    assert shown["identifiers"] == [
        {"type": "email", "value": "ann@acme.io", "key": "email:ann@acme.io"}
    ]


FILTERED = {
    "profiles": "query ($where: JSON!) { profiles(where: $where) { edges { node { id } } } }",
    "previewSegment": "query ($where: JSON!) { previewSegment(definition: $where) { size } }",
}


@pytest.mark.parametrize(
    ("where", "named"),
    [
        ({"attribute": "first_name", "contains": "An"}, "attribute first_name"),
        (
            {"not": {"any": [{"attribute": "city", "eq": "Oslo"}, {"identifier": "email"}]}},
            "attribute city",
        ),
        (
            {"event": {"type": "purchase", "where": {"gift_note": {"contains": "Ann"}}}},
            "event property gift_note",
        ),
    ],
)
def test_a_key_that_sees_values_masked_cannot_filter_on_them(
    client: httpx.Client,
    server: str,
    keys: dict[str, dict[str, str]],
    where: dict[str, Any],
    named: str,
) -> None:
    """Else `first_name contains "An"`, then "Ann", … reads a masked name back."""
    observations = [obs("o1", "email:ann@acme.io", first_name="Ann", city="Oslo")]
    client.post("/v1/observations", json={"observations": observations})

    for root, query in FILTERED.items():
        refused = post(server, query, keys["read"], where=where).json()
        allowed = post(server, query, keys["read:pii"], where=where).json()

        assert refused["data"] is None
        [error] = refused["errors"]
        assert (error["path"], error["extensions"]["code"]) == ([root], "FORBIDDEN")
        assert named in error["message"]
        assert "needs the read:pii scope" in error["message"]
        assert "errors" not in allowed, allowed


def test_a_key_that_sees_values_masked_may_ask_what_the_mask_shows(
    client: httpx.Client, server: str, keys: dict[str, dict[str, str]]
) -> None:
    observations = [obs("o1", "email:ann@acme.io", first_name="Ann")]
    client.post("/v1/observations", json={"observations": observations})
    where = {
        "all": [
            {"attribute": "first_name", "exists": True},
            {
                "any": [
                    {"identifier": "email"},
                    {"event": {"type": "purchase", "where": {"sku": {"eq": "S"}}}},
                ]
            },
        ]
    }

    answer = post(server, FILTERED["previewSegment"], keys["read"], where=where).json()

    assert "errors" not in answer, answer
    assert answer["data"]["previewSegment"]["size"] == 1


AUDIT = """query ($first: Int!, $after: String, $action: String, $actor: String) {
  auditLog(first: $first, after: $after, action: $action, actor: $actor) {
    edges { node { id at actor action subject reason profilesBefore profilesAfter details } }
    pageInfo { endCursor hasNextPage } } }"""


def test_the_audit_log_pages_and_filters(
    graphql: GraphQLClient, keys: dict[str, dict[str, str]], server: str
) -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        page = graphql.data(AUDIT, first=2, after=after)["auditLog"]
        seen += [edge["node"]["subject"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert sorted(seen) == sorted(["test-admin", *(key_name(s) for s in SCOPES)])
    assert seen[0] == key_name(SCOPES[-1])  # newest first
    steward = post(server, AUDIT, keys["steward"], first=50, action="key_create").json()
    nodes = [e["node"] for e in steward["data"]["auditLog"]["edges"]]
    assert len(nodes) == 1 + len(SCOPES)
    assert {n["actor"] for n in nodes} == {"cli:test"}
    assert nodes[0]["details"]["scopes"] == ["admin"]
    assert graphql.data(AUDIT, first=5, actor="nobody")["auditLog"]["edges"] == []


def test_a_bad_audit_filter_names_the_argument(graphql: GraphQLClient) -> None:
    error = graphql.error(AUDIT, first=5, action="dance")

    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "action"}


def test_an_automatic_merge_is_audited_with_the_ingesting_key(
    server: str, graphql: GraphQLClient, keys: dict[str, dict[str, str]]
) -> None:
    observations = [
        obs("o1", "email:ann@acme.io", at=1),
        obs("o2", "phone:+14155550101", at=2),
        obs("o3", "email:ann@acme.io", "phone:+14155550101", at=3),
    ]
    for item in observations:
        response = httpx.post(
            f"{server}/v1/observations", json={"observations": [item]}, headers=keys["ingest"]
        )
        assert response.status_code == 200

    query = """{ auditLog(action: "merge") { edges { node {
      actor subject profilesBefore profilesAfter } } } }"""
    [edge] = graphql.data(query)["auditLog"]["edges"]
    merge = edge["node"]
    survivor = graphql.data('{ profileByIdentifier(type: "email", value: "ann@acme.io") { id } }')[
        "profileByIdentifier"
    ]["id"]

    assert merge["actor"] == key_name("ingest")
    assert merge["subject"] == "o3"
    assert merge["profilesAfter"] == [survivor]
    assert len(set(merge["profilesBefore"])) == 2
    assert survivor in merge["profilesBefore"]
