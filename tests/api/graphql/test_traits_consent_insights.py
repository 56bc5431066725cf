"""Computed traits, consent and the insights report over GraphQL, checked against the data
that was sent and against REST."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tests.conftest import TEST_MAX_BATCH_ITEMS

from ..payloads import event
from .conftest import GraphQLClient
from .shoppers import define, shoppers

TRAITS = """query ($id: ID!) { profile(id: $id) { traits {
  eventCount orderCount totalRevenue averageOrderValue customerLifetimeValue purchaseFrequency
  engagementScore dataQuality recencyDays currency firstSeen lastSeen asOf
  eventsByType { type count } } } }"""
RECORD = """mutation ($s: [JSON!]!) { recordConsent(statements: $s) { recorded } }"""
CONSENT = """query ($id: ID!) { profile(id: $id) {
  consent { identifier { type value } purpose status statedAt source } } }"""


def statement(value: str, status: str, at: str) -> dict[str, Any]:
    return {
        "identifier": {"type": "email", "value": value},
        "purpose": "email_marketing",
        "status": status,
        "at": at,
        "source": "preference-centre",
    }


def test_traits_are_computed_from_the_events(client: httpx.Client, graphql: GraphQLClient) -> None:
    purchases = shoppers(client)
    buyer = next(i for i, n in purchases.items() if n == 3)
    browser = next(i for i, n in purchases.items() if n == 0)

    traits = graphql.data(TRAITS, id=buyer)["profile"]["traits"]
    idle = graphql.data(TRAITS, id=browser)["profile"]["traits"]

    assert (traits["eventCount"], traits["orderCount"]) == (4, 3)
    assert traits["totalRevenue"] == pytest.approx(10 + 20 + 30)
    assert traits["averageOrderValue"] == pytest.approx(20)
    assert traits["customerLifetimeValue"] > 0
    assert {(t["type"], t["count"]) for t in traits["eventsByType"]} == {
        ("purchase", 3),
        ("page_view", 1),
    }
    assert traits["engagementScore"] == pytest.approx(3 * 20 + 1)
    assert traits["currency"] == "USD"
    assert traits["firstSeen"] <= traits["lastSeen"] <= traits["asOf"]
    assert (idle["orderCount"], idle["averageOrderValue"]) == (0, None)
    assert 0 < idle["dataQuality"] <= 1


def test_the_latest_consent_statement_decides(client: httpx.Client, graphql: GraphQLClient) -> None:
    shoppers(client)
    ann = client.get("/v1/profiles", params={"identifier": "email:p1@acme.io"}).json()["id"]

    recorded = graphql.data(
        RECORD,
        s=[
            statement("P1@acme.io", "granted", "2026-05-01T10:00:00Z"),
            statement("p1@acme.io", "withdrawn", "2026-05-03T10:00:00Z"),
            statement("p1@acme.io", "granted", "2026-05-02T10:00:00Z"),
        ],
    )["recordConsent"]
    consent = graphql.data(CONSENT, id=ann)["profile"]["consent"]

    assert recorded == {"recorded": 3}
    assert consent == [
        {
            "identifier": {"type": "email", "value": "p1@acme.io"},
            "purpose": "email_marketing",
            "status": "WITHDRAWN",
            "statedAt": "2026-05-03T10:00:00Z",
            "source": "preference-centre",
        }
    ]


def test_an_export_for_a_purpose_agrees_with_consent(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    shoppers(client)
    graphql.data(
        RECORD,
        s=[
            statement("p1@acme.io", "granted", "2026-05-01T10:00:00Z"),
            statement("p3@acme.io", "granted", "2026-05-01T10:00:00Z"),
            statement("p3@acme.io", "withdrawn", "2026-05-02T10:00:00Z"),
        ],
    )
    segment = define(graphql, "Emails", {"identifier": "email"}, purpose="email_marketing")
    consented = define(graphql, "Consented", {"consent": "email_marketing"})

    export = client.get(
        f"/v1/segments/{segment['id']}/export", params={"identifier": "email", "format": "jsonl"}
    )
    values = [json.loads(line)["value"] for line in export.text.splitlines()]

    assert segment["size"] == 4
    assert values == ["p1@acme.io"]
    assert consented["size"] == 1


@pytest.mark.parametrize(
    ("statements", "code", "field"),
    [
        (
            [statement("p1@acme.io", "maybe", "2026-05-01T10:00:00Z")],
            "INVALID_INPUT",
            "statements[0].status",
        ),
        ([{"purpose": "email_marketing"}], "INVALID_INPUT", "statements[0].identifier"),
        (
            [statement("p1@acme.io", "granted", "2026-05-01T10:00:00Z")]
            * (TEST_MAX_BATCH_ITEMS + 1),
            "LIMIT_EXCEEDED",
            None,
        ),
    ],
)
def test_a_bad_consent_batch_is_refused_whole(
    module_graphql: GraphQLClient, statements: list[Any], code: str, field: str | None
) -> None:
    error = module_graphql.error(RECORD, s=statements)

    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field


def test_insights_agree_with_the_store_stats(client: httpx.Client, graphql: GraphQLClient) -> None:
    purchases = shoppers(client)  # all their events are on 2026-05-01, 09:00-09:10Z
    views = {  # person 0's page views: one the next day, and one each side of the window
        "next-day": "2026-05-02T08:00:00Z",
        "too-early": "2026-04-10T12:00:00Z",
        "too-late": "2026-05-09T12:00:00Z",
    }
    more = [
        {**event(i, "page_view", "cookie_id:c-0"), "occurred_at": at} for i, at in views.items()
    ]
    assert client.post("/v1/events", json={"events": more}).json()["accepted"] == 3
    define(graphql, "Bought", {"event": {"type": "purchase"}})

    report = graphql.data(
        """{ insights(days: 7, asOf: "2026-05-03T00:00:00Z") { asOf currency days
             counts { profiles people junkProfiles identifiers identifiersByType { type count }
                      merges mergeRate heldLinks openReviewItems }
             clusterSizes { smallest largest label count }
             completeness { attribute share }
             segments { name size share }
             revenue { kind count total mean minimum maximum percentiles { percentile value }
                       buckets { lower upper label count } }
             clv { count }
             eventsPerDay { day eventType events revenue } } }"""
    )["insights"]
    stats = client.get("/v1/stats").json()

    counts = report["counts"]
    assert (counts["profiles"], counts["identifiers"]) == (stats["profiles"], stats["identifiers"])
    assert {t["type"]: t["count"] for t in counts["identifiersByType"]} == stats[
        "identifiers_by_type"
    ]
    assert counts["people"] == 8
    assert sum(b["count"] for b in report["clusterSizes"]) == stats["profiles"]
    assert {c["attribute"]: c["share"] for c in report["completeness"]}["first_name"] == 1.0
    assert report["segments"] == [{"name": "Bought", "size": 6, "share": pytest.approx(6 / 8)}]
    buyers = [n for n in purchases.values() if n]
    revenue = report["revenue"]
    assert revenue["count"] == len(buyers) == report["clv"]["count"]
    assert revenue["total"] == pytest.approx(sum(10 * k * (k + 1) / 2 for k in buyers))
    assert sum(b["count"] for b in revenue["buckets"]) == len(buyers)
    assert (report["days"], report["asOf"]) == (7, "2026-05-03T00:00:00Z")
    # The window is 2026-04-27 to asOf. On 05-01, a page view for each of the 8 people and
    # purchases by people 1-3 and 5-7 (n % 4 of them, worth 10, 20, 30): 2 * (1 + 2 + 3) = 12
    # purchases, 2 * (10 + 30 + 60) = 200 of revenue. On 05-02, person 0's one page view.
    assert sorted(report["eventsPerDay"], key=lambda r: (r["day"], r["eventType"])) == [
        {"day": "2026-05-01", "eventType": "page_view", "events": 8, "revenue": 0.0},
        {"day": "2026-05-01", "eventType": "purchase", "events": 12, "revenue": 200.0},
        {"day": "2026-05-02", "eventType": "page_view", "events": 1, "revenue": 0.0},
    ]
