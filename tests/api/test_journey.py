"""GET /v1/profiles/{id}/journey: every event of every identifier of a profile, in time order.

The module's tests share one server: each writes an Ann, and events, of its own (`unique`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.conftest import unique

from .payloads import event, moment, obs


@pytest.fixture(scope="module")
def client(module_client: httpx.Client) -> httpx.Client:
    """Each test reads only the journey of its own Ann: the module's tests share one server."""
    return module_client


def post(client: httpx.Client, path: str, key: str, *items: dict[str, Any]) -> None:
    response = client.post(path, json={key: list(items)})
    assert response.status_code == 200
    assert response.json()["accepted"] == len(items), response.json()


@dataclass(frozen=True)
class Ann:
    """One test's Ann: her profile, and her email and cookie (as `type:value` keys)."""

    profile_id: str
    email: str
    cookie: str


def ann(client: httpx.Client) -> Ann:
    """Ann: an email and a cookie in one profile, under values no other test writes."""
    name = unique("ann")
    email, cookie = f"email:{name}@acme.io", f"cookie_id:c-{name}"
    post(client, "/v1/observations", "observations", obs(unique("o1"), email, cookie))
    profile_id: str = client.get("/v1/profiles", params={"identifier": email}).json()["id"]
    return Ann(profile_id, email, cookie)


def cookie_events(client: httpx.Client, person: Ann, kinds: list[str]) -> list[str]:
    """Events of these kinds on `person`'s cookie, the Nth at minute N; returns their IDs."""
    event_ids = [unique(f"e{n}") for n in range(len(kinds))]
    post(
        client,
        "/v1/events",
        "events",
        *[
            event(event_id, kind, person.cookie, at=n)
            for n, (event_id, kind) in enumerate(zip(event_ids, kinds, strict=True))
        ],
    )
    return event_ids


def journey(client: httpx.Client, profile_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/profiles/{profile_id}/journey", params=params)
    assert response.status_code == 200, response.json()
    page: dict[str, Any] = response.json()
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [e["id"] for e in page["events"]]


def test_events_of_every_identifier_come_in_time_order(client: httpx.Client) -> None:
    person = ann(client)
    address = person.email.removeprefix("email:")
    e1, e2, e3, other = (unique(name) for name in ("e1", "e2", "e3", "other"))
    post(
        client,
        "/v1/events",
        "events",
        event(e3, "purchase", f"email:{address.upper()}", at=30, revenue=42.5),
        event(e1, "page_view", person.cookie, at=10),
        event(e2, "page_view", person.cookie, person.email, at=20),
        event(other, "page_view", f"cookie_id:{unique('c-2')}", at=15),
    )

    page = journey(client, person.profile_id)

    assert ids(page) == [e1, e2, e3]
    assert page["page_info"]["has_next_page"] is False
    purchase = page["events"][2]
    assert purchase["type"] == "purchase"
    assert purchase["occurred_at"] == moment(30)
    assert purchase["source"] == "web"
    assert purchase["identifiers"] == [{"type": "email", "value": address}]
    assert purchase["properties"] == {"revenue": 42.5}


def test_the_journey_filters_by_type_and_time(client: httpx.Client) -> None:
    person = ann(client)
    e = cookie_events(client, person, ["page_view", "purchase", "email_open"] * 3)

    by_type = journey(client, person.profile_id, types="purchase, email_open")
    window = journey(client, person.profile_id, since=moment(2), until=moment(5))
    both = journey(client, person.profile_id, types="purchase", since=moment(2))

    assert ids(by_type) == [e[1], e[2], e[4], e[5], e[7], e[8]]
    assert ids(window) == [e[2], e[3], e[4]]
    assert ids(both) == [e[4], e[7]]


def test_the_journey_pages_with_a_cursor(client: httpx.Client) -> None:
    person = ann(client)
    event_ids = [unique(f"e{n:02}") for n in range(25)]
    post(
        client,
        "/v1/events",
        "events",
        *[
            event(event_id, "page_view", person.cookie, at=50 - n)
            for n, event_id in enumerate(event_ids)
        ],
    )

    pages = [journey(client, person.profile_id, first=7)]
    while pages[-1]["page_info"]["has_next_page"]:
        pages.append(
            journey(client, person.profile_id, first=7, after=pages[-1]["page_info"]["end_cursor"])
        )

    assert [len(p["events"]) for p in pages] == [7, 7, 7, 4]
    seen = [e for p in pages for e in ids(p)]
    assert seen == list(reversed(event_ids))
    assert pages[-1]["page_info"]["end_cursor"] is not None


def test_order_newest_pages_newest_first_with_filters(client: httpx.Client) -> None:
    person = ann(client)
    e = cookie_events(client, person, ["page_view", "purchase"] * 4)

    latest = journey(client, person.profile_id, order="newest", first=3)
    rest = journey(
        client, person.profile_id, order="newest", after=latest["page_info"]["end_cursor"]
    )
    purchases = journey(
        client, person.profile_id, order="newest", types="purchase", until=moment(7)
    )

    assert ids(latest) == [e[7], e[6], e[5]]
    assert latest["page_info"]["has_next_page"] is True
    assert ids(rest) == [e[4], e[3], e[2], e[1], e[0]]
    assert ids(purchases) == [e[5], e[3], e[1]]
    assert ids(journey(client, person.profile_id, order="oldest", first=2)) == [e[0], e[1]]


def test_a_cursor_passed_with_the_other_order_is_422_naming_after(client: httpx.Client) -> None:
    person = ann(client)
    cookie_events(client, person, ["page_view"] * 3)
    cursor = journey(client, person.profile_id, order="newest", first=1)["page_info"]["end_cursor"]

    response = client.get(f"/v1/profiles/{person.profile_id}/journey", params={"after": cursor})

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
    person = ann(client)
    device, app_open = f"device_id:{unique('d-1')}", unique("e1")
    post(client, "/v1/events", "events", event(app_open, "app_open", device, at=5))
    assert ids(journey(client, person.profile_id)) == []

    post(client, "/v1/observations", "observations", obs(unique("o2"), person.email, device))

    assert ids(journey(client, person.profile_id)) == [app_open]


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
    person = ann(client)

    response = client.get(f"/v1/profiles/{person.profile_id}/journey", params=params)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_the_journey_of_an_unknown_profile_is_404(client: httpx.Client) -> None:
    response = client.get("/v1/profiles/prf_00000000000000000000/journey")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
