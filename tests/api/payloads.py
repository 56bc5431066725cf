"""Wire items for the API tests, written as a timeline: `obs("o1", "email:ann@acme.io", at=5)`
is an observation seen 5 minutes after 2026-05-01T09:00Z carrying that identifier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def moment(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def identifiers(*keys: str) -> list[dict[str, str]]:
    pairs = (key.partition(":") for key in keys)
    return [{"type": type_name, "value": value} for type_name, _, value in pairs]


def obs(
    item_id: str, *keys: str, at: float = 0, source: str = "crm", **attributes: Any
) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": source,
        "observed_at": moment(at),
        "identifiers": identifiers(*keys),
        "attributes": attributes,
    }


def event(
    item_id: str, type_name: str, *keys: str, at: float = 0, source: str = "web", **properties: Any
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": type_name,
        "occurred_at": moment(at),
        "source": source,
        "identifiers": identifiers(*keys),
        "properties": properties,
    }


SPLIT_BOB = """
mutation($id: ID!) {
  splitProfile(profileId: $id, reason: "two people", cutEdges: [{
    a: {type: "email", value: "bob@acme.io"}, b: {type: "cookie_id", value: "c-bob"}}]) { id }
}
"""
"""The GraphQL split of Bob's email from his cookie `c-bob` (his profile's ID as `id`)."""
