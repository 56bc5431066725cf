"""POST /v1/access-requests on a real server: the answer holds Ann's profile, records,
events, consent and rejected records, and nothing of Bob's; it is audited under the key's
name; bad requests are refused naming the field."""

from __future__ import annotations

import httpx

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.store import open_store

from .payloads import event, obs

ANN, BOB = "email:ann@acme.io", "email:bob@acme.io"


def ann_and_bob(client: httpx.Client) -> None:
    items = [
        obs("o1", "email: Ann@Acme.io ", "phone:+14155550101", at=1, first_name="Ann"),
        obs("o2", ANN, "cookie_id:c-ann", at=2, city="Paris"),
        obs("o3", BOB, "cookie_id:c-bob", at=3, first_name="Bob"),
        {**obs("o4", "email:ANN@acme.io"), "observed_at": "yesterday"},  # rejected
        {**obs("o5", BOB), "observed_at": "yesterday"},  # rejected, Bob's
    ]
    answer = client.post("/v1/observations", json={"observations": items}).json()
    assert (answer["accepted"], answer["rejected"]) == (3, 2)
    events = [
        event("e1", "purchase", ANN, at=4, revenue=12),
        event("e2", "page_view", BOB, at=5),
    ]
    assert client.post("/v1/events", json={"events": events}).json()["accepted"] == 2
    consent = [
        {
            "identifier": {"type": "email", "value": "ann@acme.io"},
            "purpose": "email_marketing",
            "status": "granted",
            "at": "2026-05-01T10:00:00Z",
            "source": "newsletter",
        }
    ]
    assert client.post("/v1/consent", json={"consent": consent}).status_code == 200


def test_the_answer_holds_everything_of_the_person_and_nothing_of_another(
    client: httpx.Client, settings: Settings
) -> None:
    ann_and_bob(client)

    response = client.post(
        "/v1/access-requests", json={"profile": "phone:(415) 555-0101", "reason": "DSAR 2026-7"}
    )

    assert response.status_code == 200, response.text
    document = response.json()
    assert document["format"] == "datora-personal-data/1"
    profile = document["profile"]
    assert sorted(f"{i['type']}:{i['value']}" for i in profile["identifiers"]) == [
        "cookie_id:c-ann",
        ANN,
        "phone:+14155550101",
    ]
    assert profile["attributes"] == {"first_name": "Ann", "city": "Paris"}
    assert [o["id"] for o in document["observations"]] == ["o1", "o2"]
    assert document["observations"][0]["identifiers"][0] == {
        "type": "email",
        "value": " Ann@Acme.io ",
    }  # as it was sent
    assert [e["id"] for e in document["events"]] == ["e1"]
    assert document["traits"]["total_revenue"] == 12
    assert [(c["purpose"], c["status"]) for c in document["consent"]] == [
        ("email_marketing", "granted")
    ]
    assert [r["id"] for r in document["rejected_records"]] == ["o4"]
    assert "bob" not in response.text.lower()
    assert document["history"][-1]["action"] == "access_request"

    store = open_store(settings)
    try:
        (entry,) = store.list_audit(AuditFilter(action="access_request")).items
    finally:
        store.close()
    assert (entry.actor, entry.reason, entry.subject) == (
        "test-admin",
        "DSAR 2026-7",
        profile["id"],
    )
    assert entry.id == document["request"]["audit_entry"]
    assert entry.details == {
        "identifiers": 3,
        "observations": 2,
        "events": 1,
        "consent": 1,
        "rejected_records": 1,
    }


def test_a_bad_request_is_refused_naming_the_field_and_nothing_is_audited(
    client: httpx.Client, settings: Settings
) -> None:
    ann_and_bob(client)
    junk = [obs("o9", "email:test@test.com")]
    assert client.post("/v1/observations", json={"observations": junk}).json()["accepted"] == 1

    def refused(body: dict[str, str]) -> tuple[int, str | None, str]:
        response = client.post("/v1/access-requests", json=body)
        error = response.json()["error"]
        return response.status_code, error["field"], error["message"]

    blank = refused({"profile": ANN, "reason": "   "})
    quoting = refused({"profile": ANN, "reason": "asked by ann@acme.io"})
    unknown = refused({"profile": "email:nobody@acme.io", "reason": "DSAR 8"})
    stray = refused({"profile": ANN, "reason": "DSAR 9", "format": "pdf"})
    nobodys = refused({"profile": "email:test@test.com", "reason": "DSAR 10"})

    assert blank[:2] == (422, "reason")
    assert quoting == (
        422,
        "reason",
        "reason: quotes one of the person's identifiers, and the audit log keeps the reason after "
        "the person is gone: say why without it (a request number)",
    )
    assert unknown[0] == 404
    assert stray[:2] == (422, "format")
    assert nobodys[:2] == (422, "profile")
    assert "holds only a junk value, which is nobody's data" in nobodys[2]
    store = open_store(settings)
    try:
        assert store.list_audit(AuditFilter(action="access_request")).items == []
    finally:
        store.close()


def test_graphql_answers_with_the_document_rest_gives(client: httpx.Client) -> None:
    ann_and_bob(client)
    body = {"profile": ANN, "reason": "DSAR 2026-7"}
    mutation = """mutation($profile: String!, $reason: String!) {
      answerAccessRequest(profile: $profile, reason: $reason) }"""

    rest = client.post("/v1/access-requests", json=body).json()
    graphql = client.post("/graphql", json={"query": mutation, "variables": body}).json()

    answer = graphql["data"]["answerAccessRequest"]
    per_request = ("generated_at", "request", "history", "traits")
    assert {k: v for k, v in answer.items() if k not in per_request} == {
        k: v for k, v in rest.items() if k not in per_request
    }
    assert answer["request"] != rest["request"]  # each is audited
    assert [h["action"] for h in answer["history"]][-2:] == ["access_request"] * 2
