"""Shared data for the segment, trait and consent tests: eight shoppers with known purchases."""

from __future__ import annotations

from typing import Any

import httpx

from ..payloads import event, obs
from .conftest import GraphQLClient

DEFINE = """
mutation ($name: String!, $definition: JSON!, $purpose: String) {
  defineSegment(name: $name, definition: $definition, purpose: $purpose,
                description: "bought twice") {
    id name description definition purpose size share createdAt updatedAt
  }
}"""


def shoppers(client: httpx.Client) -> dict[str, int]:
    """Eight people: person n bought n % 4 times; odd people have an email, even ones only a
    phone; person 7 also holds a junk email. Returns each person's purchases by profile ID."""
    purchases: dict[str, int] = {}
    for n in range(8):
        key = f"email:p{n}@acme.io" if n % 2 else f"phone:+1415555{n:04}"
        items = [obs(f"o{n}", key, f"cookie_id:c-{n}", at=n, first_name=f"P{n}")]
        response = client.post("/v1/observations", json={"observations": items})
        assert response.json()["accepted"] == 1
        events = [
            event(f"e{n}-{k}", "purchase", f"cookie_id:c-{n}", at=n + k, revenue=10 * (k + 1))
            for k in range(n % 4)
        ] + [event(f"v{n}", "page_view", f"cookie_id:c-{n}", at=n)]
        assert client.post("/v1/events", json={"events": events}).json()["accepted"] == len(events)
        profile_id = client.get("/v1/profiles", params={"identifier": f"cookie_id:c-{n}"})
        purchases[profile_id.json()["id"]] = n % 4
    return purchases


def define(graphql: GraphQLClient, name: str, definition: Any, **more: Any) -> dict[str, Any]:
    segment: dict[str, Any] = graphql.data(DEFINE, name=name, definition=definition, **more)[
        "defineSegment"
    ]
    return segment
