"""GET /v1/profiles/{id}/journey: every event of every identifier of a profile, in time order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .payloads import event, moment, obs


def post(client: httpx.Client, path: str, key: str, *items: dict[str, Any]) -> None:
    response = client.post(path, json={key: list(items)})
    assert response.status_code == 200
    assert response.json()["accepted"] == len(items), response.json()


def ann(client: httpx.Client) -> str:
    """Ann: an email and a cookie in one profile; returns the profile ID."""
    post(
        client, "/v1/observations", "observations", obs("o1", "email:ann@acme.io", "cookie_id:c-1")
    )
    profile_id: str = client.get("/v1/profiles?identifier=email:ann@acme.io").json()["id"]
    return profile_id


def cookie_events(client: httpx.Client, kinds: list[str]) -> None:
    """Ann's cookie's events e0, e1, ... of these kinds, event eN at minute N."""
    post(
        client,
        "/v1/events",
        "events",
        *[event(f"e{n}", kind, "cookie_id:c-1", at=n) for n, kind in enumerate(kinds)],
    )


def journey(client: httpx.Client, profile_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/profiles/{profile_id}/journey", params=params)
    assert response.status_code == 200, response.json()
    page: dict[str, Any] = response.json()
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [e["id"] for e in page["events"]]


def test_events_of_every_identifier_come_in_time_order(client: httpx.Client) -> None:
    profile_id = ann(client)
    post(
        client,
        "/v1/events",
        "events",
        event("e3", "purchase", "email:ANN@acme.io", at=30, revenue=42.5),
        event("e1", "page_view", "cookie_id:c-1", at=10),
        event("e2", "page_view", "cookie_id:c-1", "email:ann@acme.io", at=20),
        event("other", "page_view", "cookie_id:c-2", at=15),
    )

    page = journey(client, profile_id)

    assert ids(page) == ["e1", "e2", "e3"]
    assert page["page_info"]["has_next_page"] is False
    purchase = page["events"][2]
    assert purchase["type"] == "purchase"
    assert purchase["occurred_at"] == moment(30)
    assert purchase["source"] == "web"
    assert purchase["identifiers"] == [{"type": "email", "value": "ann@acme.io"}]
    assert purchase["properties"] == {"revenue": 42.5}


def test_the_journey_filters_by_type_and_time(client: httpx.Client) -> None:
    profile_id = ann(client)
    cookie_events(client, ["page_view", "purchase", "email_open"] * 3)

    by_type = journey(client, profile_id, types="purchase, email_open")
    window = journey(client, profile_id, since=moment(2), until=moment(5))
    both = journey(client, profile_id, types="purchase", since=moment(2))

    assert ids(by_type) == ["e1", "e2", "e4", "e5", "e7", "e8"]
    assert ids(window) == ["e2", "e3", "e4"]
    assert ids(both) == ["e4", "e7"]


def test_the_journey_pages_with_a_cursor(client: httpx.Client) -> None:
    profile_id = ann(client)
    post(
        client,
        "/v1/events",
        "events",
        *[event(f"e{n:02}", "page_view", "cookie_id:c-1", at=50 - n) for n in range(25)],
    )

    pages = [journey(client, profile_id, first=7)]
    while pages[-1]["page_info"]["has_next_page"]:
        pages.append(
            journey(client, profile_id, first=7, after=pages[-1]["page_info"]["end_cursor"])
        )

    assert [len(p["events"]) for p in pages] == [7, 7, 7, 4]
    seen = [e for p in pages for e in ids(p)]
    assert seen == [f"e{n:02}" for n in reversed(range(25))]
    assert pages[-1]["page_info"]["end_cursor"] is not None


def test_order_newest_pages_newest_first_with_filters(client: httpx.Client) -> None:
    profile_id = ann(client)
    cookie_events(client, ["page_view", "purchase"] * 4)

    latest = journey(client, profile_id, order="newest", first=3)
    rest = journey(client, profile_id, order="newest", after=latest["page_info"]["end_cursor"])
    purchases = journey(client, profile_id, order="newest", types="purchase", until=moment(7))

    assert ids(latest) == ["e7", "e6", "e5"]
    assert latest["page_info"]["has_next_page"] is True
    assert ids(rest) == ["e4", "e3", "e2", "e1", "e0"]
    assert ids(purchases) == ["e5", "e3", "e1"]
    assert ids(journey(client, profile_id, order="oldest", first=2)) == ["e0", "e1"]


def test_a_cursor_passed_with_the_other_order_is_422_naming_after(client: httpx.Client) -> None:
    profile_id = ann(client)
    post(
        client,
        "/v1/events",
        "events",
        *[event(f"e{n}", "page_view", "cookie_id:c-1", at=n) for n in range(3)],
    )
    cursor = journey(client, profile_id, order="newest", first=1)["page_info"]["end_cursor"]

    response = client.get(f"/v1/profiles/{profile_id}/journey", params={"after": cursor})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "after"
    assert "newest-first order" in error["message"]


def test_the_order_parameter_is_documented(client: httpx.Client) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/profiles/{profile_id}/journey"]
    [order] = [p for p in operation["get"]["parameters"] if p["name"] == "order"]

    assert order["in"] == "query"
    assert order["schema"]["enum"] == ["oldest", "newest"]
    assert order["schema"]["default"] == "oldest"
    assert "newest" in order["description"]


def test_an_event_joins_the_journey_when_its_identifier_is_linked_later(
    client: httpx.Client,
) -> None:
    profile_id = ann(client)
    post(client, "/v1/events", "events", event("e1", "app_open", "device_id:d-1", at=5))
    assert ids(journey(client, profile_id)) == []

    post(
        client, "/v1/observations", "observations", obs("o2", "email:ann@acme.io", "device_id:d-1")
    )

    assert ids(journey(client, profile_id)) == ["e1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 1001}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"since": "tomorrow"}, "since"),
        ({"since": moment(10), "until": moment(5)}, "since"),
        ({"since": "0001-01-01T00:00:00+23:59"}, "since"),
        ({"until": "9999-12-31T23:59:59-23:59"}, "until"),
        ({"after": "WyJcdWQ4MDAiLCAieCJd"}, "after"),
        ({"since": "0.5"}, "since"),
        ({"until": "1714557600"}, "until"),
        ({"order": "desc"}, "order"),
        ({"order": "NEWEST"}, "order"),
    ],
)
def test_bad_journey_parameters_are_422_naming_the_parameter(
    client: httpx.Client, params: dict[str, Any], field: str
) -> None:
    profile_id = ann(client)

    response = client.get(f"/v1/profiles/{profile_id}/journey", params=params)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_the_journey_of_an_unknown_profile_is_404(client: httpx.Client) -> None:
    response = client.get("/v1/profiles/prf_00000000000000000000/journey")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
