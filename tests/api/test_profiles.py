"""GET /v1/profiles: by ID (alias-aware after merges) and by identifier as a client writes it.

The module's tests share one server: each writes identifiers of its own (`unique`,
`unique_phone`) and reads only the profiles holding them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.conftest import unique, unique_phone

from .payloads import obs


@pytest.fixture(scope="module")
def client(module_client: httpx.Client) -> httpx.Client:
    """Each test looks up only profiles of its own: the module's tests share one server."""
    return module_client


def ingest(client: httpx.Client, *items: dict[str, Any]) -> None:
    response = client.post("/v1/observations", json={"observations": list(items)})
    assert response.status_code == 200
    assert response.json()["accepted"] == len(items), response.json()


def profile_of(client: httpx.Client, identifier: str) -> dict[str, Any]:
    response = client.get("/v1/profiles", params={"identifier": identifier})
    assert response.status_code == 200, response.json()
    profile: dict[str, Any] = response.json()
    return profile


def test_a_profile_has_its_identifiers_and_golden_attributes(client: httpx.Client) -> None:
    email, cookie = f"{unique('ann')}@acme.io", unique("c-1")
    ingest(client, obs(unique("o1"), f"email:{email}", f"cookie_id:{cookie}", first_name="Ann"))
    ingest(client, obs(unique("o2"), f"email:{email}", first_name="Anne", city="Oslo", at=10))

    profile = profile_of(client, f"email:{email}")
    by_id = client.get(f"/v1/profiles/{profile['id']}").json()

    assert by_id == profile
    assert set(profile) == {
        "id",
        "aliases",
        "identifiers",
        "attributes",
        "size",
        "created_at",
        "updated_at",
    }
    assert profile["id"].startswith("prf_")
    assert profile["aliases"] == []
    assert profile["size"] == 2
    assert profile["attributes"] == {"first_name": "Anne", "city": "Oslo"}
    assert sorted((i["type"], i["value"], i["junk"]) for i in profile["identifiers"]) == [
        ("cookie_id", cookie, False),
        ("email", email, False),
    ]
    assert all(i["first_seen"].startswith("2026-05-01T09:00") for i in profile["identifiers"])
    assert profile["created_at"].startswith("2026-05-01T09:00")
    assert profile["updated_at"].startswith("2026-05-01T09:10")


@pytest.mark.parametrize(
    ("with_a_cookie", "surviving"),
    [(False, "email"), (True, "phone")],
    ids=["among-equals-the-older", "the-larger-though-newer"],
)
def test_an_absorbed_id_returns_the_surviving_profile(
    client: httpx.Client, with_a_cookie: bool, surviving: str
) -> None:
    """Union by size: the larger profile keeps its ID, the older (here the email's, seen
    first) among equals; the other ID becomes its alias."""
    email, phone = f"email:{unique('ann')}@acme.io", f"phone:{unique_phone()}"
    phone_also = (f"cookie_id:{unique('c-1')}",) if with_a_cookie else ()
    ingest(client, obs(unique("o1"), email, at=0))
    ingest(client, obs(unique("o2"), phone, *phone_also, at=1))
    by_email = profile_of(client, email)["id"]
    by_phone = profile_of(client, phone)["id"]
    assert by_email != by_phone
    survivor, absorbed = (by_email, by_phone) if surviving == "email" else (by_phone, by_email)

    ingest(client, obs(unique("o3"), email, phone, at=2))
    via_email = client.get(f"/v1/profiles/{by_email}").json()
    via_phone = client.get(f"/v1/profiles/{by_phone}").json()

    assert via_email["id"] == survivor
    assert via_phone == via_email
    assert via_email["aliases"] == [absorbed]
    assert via_email["size"] == 2 + len(phone_also)
    assert profile_of(client, email)["id"] == survivor
    assert profile_of(client, phone)["id"] == survivor


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("email:ann.lee{tag}@acme-mail.org", "email: Ann.Lee{tag}@ACME-Mail.org "),
        ("email:ann.lee{tag}@acme-mail.org", "email:mailto:ann.lee{tag}@acme-mail.org"),
        ("phone:+1415555{line}", "phone:(415) 555-{line}"),
        ("phone:+1415555{line}", "phone:001415555{line}"),
    ],
)
def test_an_identifier_is_found_as_the_client_writes_it(
    client: httpx.Client, stored: str, written: str
) -> None:
    """`{tag}` and `{line}` are this test's own: its email's suffix, its phone's last digits."""
    mine = {"tag": unique(""), "line": unique_phone()[-4:]}
    stored, written = stored.format(**mine), written.format(**mine)
    ingest(client, obs(unique("o1"), stored))

    assert profile_of(client, written) == profile_of(client, stored)


def test_a_percent_encoded_identifier_is_normalised(client: httpx.Client) -> None:
    name = unique("ann")
    ingest(client, obs(unique("o1"), f"email:{name}@x-mail.org"))

    response = client.get(f"/v1/profiles?identifier=email:%20{name.capitalize()}@X-Mail.org")

    assert response.status_code == 200
    expected = {"type": "email", "value": f"{name}@x-mail.org"}
    assert expected.items() <= response.json()["identifiers"][0].items()


def test_a_junk_identifier_is_flagged(client: httpx.Client) -> None:
    """`test@test.com` cannot be made unique and is written by no other test of the module;
    it would stay alone in its profile even if it were, as junk links nothing."""
    cookie = f"cookie_id:{unique('c-1')}"
    ingest(client, obs(unique("o1"), "email:test@test.com", cookie))

    junk = profile_of(client, "email:test@test.com")

    assert [(i["value"], i["junk"]) for i in junk["identifiers"]] == [("test@test.com", True)]
    assert profile_of(client, cookie)["id"] != junk["id"]


@pytest.mark.parametrize(
    ("url", "status", "code", "field"),
    [
        ("/v1/profiles/prf_00000000000000000000", 404, "NOT_FOUND", None),
        ("/v1/profiles?identifier=email:nobody@acme.io", 404, "NOT_FOUND", None),
        ("/v1/profiles?identifier=nobody@acme.io", 422, "INVALID_INPUT", "identifier"),
        ("/v1/profiles?identifier=fax:12345", 422, "INVALID_INPUT", "identifier.type"),
        ("/v1/profiles?identifier=email:nobody", 422, "INVALID_INPUT", "identifier.value"),
        ("/v1/profiles", 422, "INVALID_INPUT", "identifier"),
    ],
)
def test_a_profile_that_cannot_be_found_says_why(
    client: httpx.Client, url: str, status: int, code: str, field: str | None
) -> None:
    response = client.get(url)

    assert response.status_code == status
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
