"""Guards seen over HTTP: a kiosk used by many shoppers is quarantined and flagged on the
profile that holds it (GraphQL and REST alike), and each link it no longer makes waits in the
review queue with its guard, source and a suggested action."""

from __future__ import annotations

from typing import Any

import httpx

from ..payloads import obs
from .conftest import GraphQLClient

KIOSK = "device_id:kiosk-17"
QUEUE = """{ reviewQueue(first: 50) { edges { node {
  guard source suggestedAction reason observationId a { type value } b { type value }
} } } }"""
BY_IDENTIFIER = """query ($type: String!, $value: String!) {
  profileByIdentifier(type: $type, value: $value) { id identifiers { key quarantined } }
}"""


def _shoppers(client: httpx.Client, count: int) -> None:
    items: list[dict[str, Any]] = []
    for n in range(count):
        items.append(obs(f"crm{n}", f"email:p{n}@acme.io", f"phone:+1415555{n:04}", at=n))
        items.append(obs(f"k{n}", f"email:p{n}@acme.io", KIOSK, source="kiosk", at=n + 0.5))
    response = client.post("/v1/observations", json={"observations": items})
    assert response.json()["accepted"] == len(items)


def test_a_kiosk_is_quarantined_shown_and_its_links_wait_for_review(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    _shoppers(client, 8)

    profile = graphql.data(BY_IDENTIFIER, type="device_id", value="kiosk-17")["profileByIdentifier"]
    flags = {i["key"]: i["quarantined"] for i in profile["identifiers"]}
    assert flags[KIOSK] is True
    assert not any(flag for key, flag in flags.items() if key != KIOSK)
    rest = client.get("/v1/profiles", params={"identifier": KIOSK}).json()
    assert {i["value"]: i["quarantined"] for i in rest["identifiers"]}["kiosk-17"] is True

    items = [edge["node"] for edge in graphql.data(QUEUE)["reviewQueue"]["edges"]]
    assert len(items) == 8 - 3  # the kiosk joins 3 profiles before it is known as a hub
    assert {item["guard"] for item in items} == {"hub", "quarantine"}
    assert {item["source"] for item in items} == {"kiosk"}
    for item in items:
        assert item["suggestedAction"].startswith("reject: the device device_id:kiosk-17")
        assert {item["a"]["value"], item["b"]["value"]} & {"kiosk-17"}
    held_from = {item["observationId"] for item in items}
    assert held_from == {f"k{n}" for n in range(3, 8)}
