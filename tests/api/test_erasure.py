"""Erasure over REST and GraphQL, on a real server: the person goes, the neighbour stays, the
audit log names the key, and only an `admin` key may erase.

Tests that read only their own people, under a tag of their own (`people`), share the
module's server (`module_client`); those that read the audit log, the README's fixed example
or a second key keep one of their own."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from tests.api.graphql.conftest import GraphQLClient
from tests.conftest import auth_headers, served_as_admin, suite_settings, unique, unique_phone

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.store import open_store

from .payloads import SPLIT_BOB, event, obs

README = Path(__file__).resolve().parents[2] / "README.md"
ERASE = """
mutation($profile: String!, $reason: String!) {
  eraseProfile(profile: $profile, reason: $reason) {
    profileId aliases auditId
    removed { identifiers observationsRemoved observationsRewritten eventsRemoved decisions
              quotesReplaced }
  }
}
"""
MERGE = """
mutation($a: ID!, $b: ID!, $reason: String!) {
  mergeProfiles(a: $a, b: $b, reason: $reason) { id }
}
"""


def people(client: httpx.Client, tag: str = "") -> None:
    """Ann, with a purchase, and Bob. `tag` ends each ID and identifier value they have
    (`o1{tag}`, `email:ann{tag}@acme.io`): `unique("")` keeps a test's people apart from
    other tests' on a shared server."""
    ann, bob = f"email:ann{tag}@acme.io", f"email:bob{tag}@acme.io"
    items = [
        obs(f"o1{tag}", ann, f"cookie_id:c-ann{tag}", at=1, first_name="Ann"),
        obs(f"o2{tag}", bob, f"cookie_id:c-bob{tag}", at=2, first_name="Bob"),
    ]
    assert client.post("/v1/observations", json={"observations": items}).json()["accepted"] == 2
    events = [event(f"e1{tag}", "purchase", ann, at=3, revenue=12)]
    assert client.post("/v1/events", json={"events": events}).json()["accepted"] == 1


def audit_of(settings: Settings) -> list[tuple[str, str, str]]:
    store = open_store(settings)
    try:
        entries = store.list_audit(AuditFilter()).items
        return [(e.action, e.actor, e.reason) for e in entries if e.action == "erasure"]
    finally:
        store.close()


def test_an_admin_key_erases_a_person_over_rest(client: httpx.Client, settings: Settings) -> None:
    people(client)
    ann = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"}).json()

    response = client.post(
        "/v1/erasures", json={"profile": "email:ANN@acme.io", "reason": "GDPR request 7"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile_id"] == ann["id"]
    assert body["removed"]["identifiers"] == 2
    assert body["removed"]["observations_removed"] == 1
    assert body["removed"]["events_removed"] == 1
    gone = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"})
    assert gone.status_code == 404
    assert client.get(f"/v1/profiles/{ann['id']}").status_code == 404
    bob = client.get("/v1/profiles", params={"identifier": "email:bob@acme.io"}).json()
    assert bob["attributes"] == {"first_name": "Bob"}
    assert audit_of(settings) == [("erasure", "test-admin", "GDPR request 7")]

    resent = client.post(
        "/v1/observations",
        json={
            "observations": [
                obs("o1", "email:ann@acme.io", "cookie_id:c-ann", at=1, first_name="Ann")
            ]
        },
    )
    assert resent.status_code == 200, resent.text
    [result] = resent.json()["results"]
    assert (result["status"], result["field"]) == ("duplicate", "id")
    assert "erased" in result["reason"]
    again = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"})
    assert again.status_code == 404, "the resent record did not bring Ann back"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"profile": "email:nobody{tag}@acme.io", "reason": "x"}, 404, None),
        ({"profile": "email:ann{tag}@acme.io"}, 422, "reason"),
        ({"profile": "email:ann{tag}@acme.io", "reason": "   "}, 422, "reason"),
        ({"reason": "x"}, 422, "profile"),
    ],
)
def test_a_bad_erasure_request_is_refused_and_names_the_field(
    module_client: httpx.Client, body: dict[str, str], status: int, field: str | None
) -> None:
    """`{tag}` is this test's own tag (`people`)."""
    tag = unique("")
    people(module_client, tag)

    response = module_client.post(
        "/v1/erasures", json={name: value.format(tag=tag) for name, value in body.items()}
    )

    assert response.status_code == status, response.text
    assert response.json()["error"].get("field") == field
    ann = f"email:ann{tag}@acme.io"
    assert module_client.get("/v1/profiles", params={"identifier": ann}).is_success


def test_erase_profile_over_graphql(
    client: httpx.Client, graphql_client: GraphQLClient, settings: Settings
) -> None:
    people(client)
    client.post("/v1/observations", json={"observations": [obs("o3", "email:cy@acme.io", at=3)]})
    bob, cy = (
        client.get("/v1/profiles", params={"identifier": f"email:{name}@acme.io"}).json()["id"]
        for name in ("bob", "cy")
    )
    # Its note and must-link quote Ann: the erasure replaces the reason in both.
    graphql_client.data(MERGE, a=bob, b=cy, reason="same household as ann@acme.io")

    erased = graphql_client.data(ERASE, profile="cookie_id:c-ann", reason="GDPR request 8")[
        "eraseProfile"
    ]

    assert erased["removed"] == {
        "identifiers": 2,
        "observationsRemoved": 1,
        "observationsRewritten": 0,
        "eventsRemoved": 1,
        "decisions": 0,
        "quotesReplaced": 2,
    }
    found = graphql_client.post(
        '{ profileByIdentifier(type: "email", value: "ann@acme.io") { id } }'
    )
    assert found["data"] == {"profileByIdentifier": None}, found
    [error] = found["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert error["path"] == ["profileByIdentifier"]
    assert "'email:ann@acme.io'" in error["message"]
    assert audit_of(settings) == [("erasure", "test-admin", "GDPR request 8")]
    missing = graphql_client.error(ERASE, profile="email:ann@acme.io", reason="again")
    assert missing["extensions"]["code"] == "NOT_FOUND"


def test_only_an_admin_key_may_erase(client: httpx.Client, server: str, settings: Settings) -> None:
    people(client)
    store = open_store(settings)
    try:
        steward = auth_headers(store, "steward-key", "steward")
    finally:
        store.close()
    with httpx.Client(base_url=server, timeout=30, headers=steward) as http:
        rest = http.post("/v1/erasures", json={"profile": "email:ann@acme.io", "reason": "x"})
        error = GraphQLClient(http).error(ERASE, profile="email:ann@acme.io", reason="x")

    assert rest.status_code == 403
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"}).is_success


def test_the_readme_erasure_example_runs(
    client: httpx.Client, graphql_client: GraphQLClient
) -> None:
    text = README.read_text()
    section = text[text.index("\n## Erasing a person\n") :]
    [example] = re.findall(r"```graphql\n(.*?)```", section[: section.index("\n## ", 1)], re.S)
    client.post("/v1/observations", json={"observations": [obs("o1", "email:ann@acme.io")]})

    erased = graphql_client.data(example)["eraseProfile"]

    assert erased["removed"]["identifiers"] == 1
    assert erased["removed"]["observationsRemoved"] == 1


ERASE_MENTIONS = """
mutation($profile: String!, $reason: String!) {
  eraseProfile(profile: $profile, reason: $reason) {
    mentions { total items { kind recordId fields } }
  }
}
"""


def mentioning_ann(client: httpx.Client, tag: str = "", phone: str = "+14155550101") -> None:
    """Ann and Bob, whose record names Ann as his referrer and whose event sent a gift to her
    `phone`: records of Bob's that the erasure of Ann leaves, and reports. `tag` as `people`."""
    people(client, tag)
    items = [
        obs(f"o3{tag}", f"email:ann{tag}@acme.io", f"phone:{phone}", at=3),
        obs(f"o4{tag}", f"email:bob{tag}@acme.io", at=4, referrer_email=f"Ann{tag}@Acme.io"),
    ]
    assert client.post("/v1/observations", json={"observations": items}).json()["accepted"] == 2
    gift = [event(f"e2{tag}", "purchase", f"email:bob{tag}@acme.io", at=5, gift_to=phone)]
    assert client.post("/v1/events", json={"events": gift}).json()["accepted"] == 1


def test_the_rest_report_names_others_records_mentioning_the_person(
    module_client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    tag, phone = unique(""), unique_phone()
    mentioning_ann(module_client, tag, phone)

    response = module_client.post(
        "/v1/erasures", json={"profile": f"email:ann{tag}@acme.io", "reason": "GDPR request 9"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["mentions"] == {
        "total": 2,
        "items": [
            {"kind": "observation", "id": f"o4{tag}", "fields": ["referrer_email"]},
            {"kind": "event", "id": f"e2{tag}", "fields": ["gift_to"]},
        ],
    }
    assert "acme.io" not in response.text.lower()
    assert phone.removeprefix("+1") not in response.text
    # The server logs them once, without a value.
    [logged] = [r for r in caplog.records if "still mention an erased value" in r.getMessage()]
    assert logged.levelname == "WARNING"
    assert "2 records of others" in logged.getMessage()
    assert "acme.io" not in logged.getMessage().lower()


def test_the_graphql_report_names_others_records_mentioning_the_person(
    client: httpx.Client, graphql_client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    mentioning_ann(client)
    # A split of Bob's profile keeps his referrer_email in its snapshots.
    bob = client.get("/v1/profiles", params={"identifier": "email:bob@acme.io"}).json()["id"]
    split = graphql_client.data(SPLIT_BOB, id=bob)["splitProfile"]["id"]

    erased = graphql_client.data(
        ERASE_MENTIONS, profile="phone:+14155550101", reason="GDPR request 10"
    )

    assert erased["eraseProfile"]["mentions"] == {
        "total": 3,
        "items": [
            {"kind": "OBSERVATION", "recordId": "o4", "fields": ["referrer_email"]},
            {"kind": "EVENT", "recordId": "e2", "fields": ["gift_to"]},
            {"kind": "DECISION", "recordId": split, "fields": ["referrer_email"]},
        ],
    }
    logged = [r for r in caplog.records if "still mention an erased value" in r.getMessage()]
    assert ["3 records of others" in r.getMessage() for r in logged] == [True], "logged once"
    # The audit log says what the search left, and that it ended.
    log = graphql_client.data('{ auditLog(action: "erasure") { edges { node { details } } } }')
    [edge] = log["auditLog"]["edges"]
    assert edge["node"]["details"]["mentions_search"] == "done"
    assert edge["node"]["details"]["mentions_left"] == 3


def test_an_erasure_under_changed_identifier_settings_is_refused_naming_the_change(
    db_path: Path,
) -> None:
    """The graph was built with Ann's phone on the junk list; the server now runs without it.
    Her erasure would find her records by keys the graph no longer agrees with: refused, with
    what changed and what to do; reads go on."""
    junk = suite_settings(db_path).model_copy(update={"junk": {"phone": ["4155550101"]}})
    with served_as_admin(junk) as client:
        items = [obs("o1", "email:ann@acme.io", "phone:415-555-0101", at=1, first_name="Ann")]
        assert client.post("/v1/observations", json={"observations": items}).status_code == 200

    with served_as_admin(suite_settings(db_path), key="dpo") as client:
        refused = client.post(
            "/v1/erasures", json={"profile": "email:ann@acme.io", "reason": "GDPR 17"}
        )
        found = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"})

    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "CONFLICT"
    assert "phone: junk values removed (+14155550101, 4155550101)" in error["message"]
    assert "`datora resolve --rebuild`" in error["message"]
    assert found.status_code == 200
