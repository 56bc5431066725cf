"""A data steward over GraphQL alone: find a bad merge, see why it happened, split it, undo
the split; resolve review items; merge by hand. Real HTTP, real store."""

from __future__ import annotations

from typing import Any

import httpx
from tests.conftest import unique

from ..payloads import obs
from .conftest import GraphQLClient
from .test_review_queue import held_pairs

ANN, COOKIE, KIOSK, BOB, PHONE = (
    "email:ann@acme.io",
    "cookie_id:c-1",
    "device_id:kiosk-7",
    "email:bob@acme.io",
    "phone:+14155550101",
)

PROFILES = "{ profiles(first: 50) { edges { node { id size } } } }"
PROFILE = """
query ($type: String!, $value: String!) {
  profileByIdentifier(type: $type, value: $value) {
    id size aliases attributes createdAt updatedAt identifiers { key }
  }
}"""
WHY = """
query ($id: ID!) {
  whyMerged(profileId: $id) {
    profileId identifiers { key }
    links { a { key } b { key } count sources evidence { source count status kind firstSeen } }
  }
}"""
EXPLAIN = """
query ($a: IdentifierInput!, $b: IdentifierInput!) {
  explain(a: $a, b: $b) {
    sameProfile profileA profileB
    paths { identifiers { key } links { a { key } b { key } count lastSeen } }
  }
}"""
PROPOSALS = """
query ($id: ID!, $a: IdentifierInput!, $b: IdentifierInput!) {
  splitProposals(profileId: $id, a: $a, b: $b) {
    kind links { a { key } b { key } } groups { key }
  }
}"""
DECISION = "id kind actor reason profilesBefore profilesAfter undoneBy details"
SPLIT = f"""
mutation ($id: ID!, $groups: [[IdentifierInput!]!], $cuts: [EdgeInput!], $reason: String!) {{
  splitProfile(profileId: $id, groups: $groups, cutEdges: $cuts, reason: $reason) {{ {DECISION} }}
}}"""
UNDO = f"""
mutation ($id: ID!, $reason: String!) {{
  undoDecision(decisionId: $id, reason: $reason) {{ {DECISION} }}
}}"""
MERGE = f"""
mutation ($a: ID!, $b: ID!, $reason: String!) {{
  mergeProfiles(a: $a, b: $b, reason: $reason) {{ {DECISION} }}
}}"""
RESOLVE = f"""
mutation ($item: Int!, $accept: Boolean!, $reason: String!) {{
  resolveReviewItem(itemId: $item, accept: $accept, reason: $reason) {{ {DECISION} }}
}}"""
AUDIT = """
{ auditLog(first: 10) { edges { node { action subject actor reason profilesAfter } } } }"""
DECISIONS = f"""
query ($first: Int!, $after: String) {{
  decisions(first: $first, after: $after) {{
    edges {{ cursor node {{ {DECISION} }} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}"""


def ref(key: str) -> dict[str, str]:
    type_name, _, value = key.partition(":")
    return {"type": type_name, "value": value}


def kiosk_world(client: httpx.Client) -> None:
    items = [
        obs("o1", ANN, COOKIE, at=1, first_name="Ann"),
        obs("o2", COOKIE, KIOSK, at=2),
        obs("o3", KIOSK, BOB, at=3),
        obs("o4", BOB, PHONE, at=4),
        # Bob's name on his own: with his first record the kiosk would be a name conflict.
        obs("o4-name", BOB, at=5, first_name="Bob"),
    ]
    response = client.post("/v1/observations", json={"observations": items})
    assert response.json()["accepted"] == 5, response.text


def profile_of(graphql: GraphQLClient, key: str) -> dict[str, Any]:
    found: dict[str, Any] = graphql.data(PROFILE, **ref(key))["profileByIdentifier"]
    return found


def test_find_a_bad_merge_see_why_split_it_and_undo_the_split(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    kiosk_world(client)

    # find: the largest profile
    profiles = [e["node"] for e in graphql.data(PROFILES)["profiles"]["edges"]]
    suspect = max(profiles, key=lambda p: p["size"])
    assert suspect["size"] == 5
    before = profile_of(graphql, ANN)
    assert before["id"] == suspect["id"]

    # why: the spanning tree and the path from Ann to Bob, through the kiosk
    tree = graphql.data(WHY, id=suspect["id"])["whyMerged"]
    assert len(tree["identifiers"]) == 5
    assert len(tree["links"]) == 4
    assert {link["evidence"][0]["status"] for link in tree["links"]} == {"active"}
    explained = graphql.data(EXPLAIN, a=ref(ANN), b=ref(BOB))["explain"]
    assert explained["sameProfile"] is True
    [path] = explained["paths"]
    assert [i["key"] for i in path["identifiers"]] == [ANN, COOKIE, KIOSK, BOB]
    proposals = graphql.data(PROPOSALS, id=suspect["id"], a=ref(ANN), b=ref(BOB))
    cuts = [
        (p["links"][0]["a"]["key"], p["links"][0]["b"]["key"])
        for p in proposals["splitProposals"]
        if p["kind"] == "bridge"
    ]
    assert (COOKIE, KIOSK) in cuts

    # split: cut the cookie-kiosk link
    split = graphql.data(
        SPLIT,
        id=suspect["id"],
        cuts=[{"a": ref(COOKIE), "b": ref(KIOSK)}],
        reason="shared shop kiosk",
    )["splitProfile"]
    assert split["kind"] == "split"
    assert split["profilesBefore"] == [suspect["id"]]
    assert len(split["profilesAfter"]) == 2
    ann, bob = profile_of(graphql, ANN), profile_of(graphql, BOB)
    assert ann["id"] == suspect["id"]
    assert bob["id"] in split["profilesAfter"]
    assert (ann["size"], bob["size"]) == (2, 3)
    assert (ann["attributes"], bob["attributes"]) == ({"first_name": "Ann"}, {"first_name": "Bob"})
    apart = graphql.data(EXPLAIN, a=ref(ANN), b=ref(BOB))["explain"]
    assert apart["sameProfile"] is False
    assert apart["paths"] == []

    # undo: exactly the profile as it was
    undo = graphql.data(UNDO, id=split["id"], reason="it was one family")["undoDecision"]
    assert undo["kind"] == "undo"
    assert undo["profilesAfter"] == [suspect["id"]]
    assert profile_of(graphql, ANN) == before
    assert profile_of(graphql, BOB) == before

    log = graphql.data(DECISIONS, first=10)["decisions"]
    kinds = [(e["node"]["kind"], e["node"]["undoneBy"]) for e in log["edges"]]
    assert kinds == [("split", undo["id"]), ("undo", None)]
    assert log["edges"][0]["node"]["reason"] == "shared shop kiosk"
    assert {e["node"]["actor"] for e in log["edges"]} == {"test-admin"}

    # the audit log names each step with the key that took it
    audit = graphql.data(AUDIT)["auditLog"]["edges"]
    steps = [(e["node"]["action"], e["node"]["subject"], e["node"]["actor"]) for e in audit]
    assert steps[:2] == [("undo", undo["id"], "test-admin"), ("split", split["id"], "test-admin")]
    assert audit[1]["node"]["profilesAfter"] == split["profilesAfter"]


def test_the_same_evidence_again_does_not_undo_a_split(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    kiosk_world(client)
    fused = profile_of(graphql, ANN)["id"]
    graphql.data(
        SPLIT,
        id=fused,
        groups=[[ref(ANN), ref(COOKIE)], [ref(KIOSK), ref(BOB), ref(PHONE)]],
        reason="kiosk",
    )

    again = [obs("o2-again", COOKIE, KIOSK, at=10), obs("o3-again", KIOSK, ANN, at=11)]
    assert client.post("/v1/observations", json={"observations": again}).json()["accepted"] == 2

    assert profile_of(graphql, ANN)["id"] != profile_of(graphql, BOB)["id"]
    queue = graphql.data("{ reviewQueue { edges { node { reason } } } }")["reviewQueue"]
    assert queue["edges"], "the refused links wait for a steward"


def test_review_items_are_accepted_or_rejected(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    held_pairs(client, 2)
    queue = graphql.data("{ reviewQueue { edges { node { id a { key } b { key } } } } }")
    first, second = (e["node"] for e in queue["reviewQueue"]["edges"])

    accepted = graphql.data(RESOLVE, item=first["id"], accept=True, reason="same person")
    rejected = graphql.data(RESOLVE, item=second["id"], accept=False, reason="not the same")

    assert accepted["resolveReviewItem"]["kind"] == "review_accept"
    assert len(accepted["resolveReviewItem"]["profilesAfter"]) == 1
    assert rejected["resolveReviewItem"]["kind"] == "review_reject"
    assert profile_of(graphql, "crm_id:A-0")["id"] == profile_of(graphql, "crm_id:B-0")["id"]
    assert profile_of(graphql, "crm_id:A-1")["id"] != profile_of(graphql, "crm_id:B-1")["id"]
    left = graphql.data("{ reviewQueue { edges { node { id } } } }")["reviewQueue"]["edges"]
    assert left == []
    error = graphql.error(RESOLVE, item=first["id"], accept=False, reason="again")
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "itemId"}


def test_a_manual_merge_empties_the_queue_of_what_it_answers_and_its_undo_refills_it(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    """The held link between the two CRM profiles asks what the steward's merge answers."""
    held_pairs(client, 1)
    queue = "{ reviewQueue { edges { node { id status a { key } b { key } } } } }"
    [waiting] = graphql.data(queue)["reviewQueue"]["edges"]
    a, b = profile_of(graphql, "crm_id:A-0")["id"], profile_of(graphql, "crm_id:B-0")["id"]

    merged = graphql.data(MERGE, a=a, b=b, reason="same customer")["mergeProfiles"]

    assert graphql.data(queue)["reviewQueue"]["edges"] == []
    error = graphql.error(RESOLVE, item=waiting["node"]["id"], accept=True, reason="again")
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "itemId"}
    graphql.data(UNDO, id=merged["id"], reason="wrong customer")
    assert graphql.data(queue)["reviewQueue"]["edges"] == [waiting]


def test_a_manual_merge_and_the_errors_a_steward_gets(
    module_client: httpx.Client, module_graphql: GraphQLClient
) -> None:
    ann_email, bob_email = f"email:{unique('ann')}@acme.io", f"email:{unique('bob')}@acme.io"
    items = [obs(unique("a"), ann_email, at=1), obs(unique("b"), bob_email, at=2)]
    module_client.post("/v1/observations", json={"observations": items})
    ann, bob = (
        profile_of(module_graphql, ann_email)["id"],
        profile_of(module_graphql, bob_email)["id"],
    )

    merged = module_graphql.data(MERGE, a=ann, b=bob, reason="same customer")["mergeProfiles"]

    assert merged["kind"] == "manual_merge"
    assert (
        profile_of(module_graphql, ann_email)["id"] == profile_of(module_graphql, bob_email)["id"]
    )
    survivor = merged["profilesAfter"][0]
    assert sorted(merged["profilesBefore"]) == sorted([ann, bob])
    assert module_graphql.error(MERGE, a=ann, b=bob, reason="again")["extensions"]["code"] == (
        "INVALID_INPUT"
    )
    missing = module_graphql.error(MERGE, a="prf_nobody", b=survivor, reason="x")
    assert missing["extensions"]["code"] == "NOT_FOUND"
    bad = module_graphql.error(
        SPLIT, id=survivor, groups=[[ref(ann_email)], [ref("email:zed@acme.io")]], reason="x"
    )
    assert bad["extensions"] == {"code": "INVALID_INPUT", "field": "groups[1][0]"}
    unknown = module_graphql.error(UNDO, id="dec_nothing", reason="x")
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    blank = module_graphql.error(UNDO, id=merged["id"], reason=" ")
    assert blank["extensions"] == {"code": "INVALID_INPUT", "field": "reason"}


def test_a_steward_key_without_read_pii_sees_masked_identifiers(
    client: httpx.Client, keys: dict[str, dict[str, str]], server: str
) -> None:
    kiosk_world(client)
    with httpx.Client(base_url=server, timeout=30, headers=keys["steward"]) as http:
        steward = GraphQLClient(http)
        fused = client.get("/v1/profiles", params={"identifier": ANN}).json()["id"]

        split = steward.data(
            SPLIT,
            id=fused,
            groups=[[ref(ANN), ref(COOKIE)], [ref(KIOSK), ref(BOB), ref(PHONE)]],
            reason="kiosk",
        )["splitProfile"]
        explained = steward.data(WHY, id=fused)["whyMerged"]

    assert split["actor"] == "key-steward"
    parts = split["details"]["parts"]
    assert sorted(k for keys in parts.values() for k in keys) == sorted(
        ["email:***", "cookie_id:***", "device_id:***", "email:***", "phone:***"]
    )
    assert {i["key"] for i in explained["identifiers"]} == {"email:***", "cookie_id:***"}
