"""Profiles over GraphQL: by ID (alias-aware), by identifier as a client writes it, the same
answer as REST, and errors that carry a code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.conftest import unique, unique_phone

from ..payloads import obs
from .conftest import GraphQLClient


@pytest.fixture(scope="module")
def client(module_client: httpx.Client) -> httpx.Client:
    """Each test reads only the profiles of identifiers of its own: the module's tests share
    one server."""
    return module_client


@pytest.fixture(scope="module")
def graphql(module_graphql: GraphQLClient) -> GraphQLClient:
    return module_graphql


PROFILE_FIELDS = """
    id aliases attributes size createdAt updatedAt junk
    identifiers { type value key junk firstSeen quarantined }
"""
BY_IDENTIFIER = f"""
query ($type: String!, $value: String!) {{
  profileByIdentifier(type: $type, value: $value) {{ {PROFILE_FIELDS} }}
}}"""
BY_ID = f"query ($id: ID!) {{ profile(id: $id) {{ {PROFILE_FIELDS} }} }}"


def ingest(client: httpx.Client, *items: dict[str, Any]) -> None:
    response = client.post("/v1/observations", json={"observations": list(items)})
    assert response.json()["accepted"] == len(items), response.json()


def as_rest(profile: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL profile in the REST shape, to compare the two answers whole."""
    return {
        "id": profile["id"],
        "aliases": profile["aliases"],
        "identifiers": [
            {
                "type": i["type"],
                "value": i["value"],
                "junk": i["junk"],
                "first_seen": i["firstSeen"],
                "quarantined": i["quarantined"],
            }
            for i in profile["identifiers"]
        ],
        "attributes": profile["attributes"],
        "size": profile["size"],
        "created_at": profile["createdAt"],
        "updated_at": profile["updatedAt"],
    }


def by_identifier(graphql: GraphQLClient, type_name: str, value: str) -> dict[str, Any]:
    profile: dict[str, Any] = graphql.data(BY_IDENTIFIER, type=type_name, value=value)[
        "profileByIdentifier"
    ]
    return profile


def test_a_profile_agrees_with_rest(client: httpx.Client, graphql: GraphQLClient) -> None:
    email, cookie = f"{unique('ann')}@acme.io", f"cookie_id:{unique('c-1')}"
    ingest(client, obs(unique("o1"), f"email:{email}", cookie, first_name="Ann", at=0))
    ingest(client, obs(unique("o2"), f"email:{email}", first_name="Anne", city="Oslo", at=10.5))

    profile = by_identifier(graphql, "email", email)
    rest = client.get("/v1/profiles", params={"identifier": f"email:{email}"}).json()

    assert as_rest(profile) == rest
    assert profile["attributes"] == {"first_name": "Anne", "city": "Oslo"}
    assert profile["updatedAt"] == "2026-05-01T09:10:30Z"
    assert [i["key"] for i in profile["identifiers"]] == [cookie, f"email:{email}"]
    assert profile["junk"] is False
    assert graphql.data(BY_ID, id=profile["id"])["profile"] == profile


@pytest.mark.parametrize(
    ("phone_also", "survivor_type"),
    [((), "email"), (("cookie_id:c-1",), "phone")],
    ids=["among-equals-the-older", "the-larger-though-newer"],
)
def test_an_absorbed_id_answers_with_the_survivor(
    client: httpx.Client, graphql: GraphQLClient, phone_also: tuple[str, ...], survivor_type: str
) -> None:
    """Union by size: the larger profile keeps its ID, the older (here the email's, seen
    first) among equals; the other ID becomes its alias."""
    email, phone = f"{unique('ann')}@acme.io", unique_phone()
    ingest(client, obs(unique("o1"), f"email:{email}", at=0))
    ingest(client, obs(unique("o2"), f"phone:{phone}", *map(unique, phone_also), at=1))
    before = {
        "email": by_identifier(graphql, "email", email)["id"],
        "phone": by_identifier(graphql, "phone", phone)["id"],
    }
    assert before["email"] != before["phone"]
    survivor = before[survivor_type]
    [absorbed] = set(before.values()) - {survivor}

    ingest(client, obs(unique("o3"), f"email:{email}", f"phone:{phone}", at=2))
    via_email = graphql.data(BY_ID, id=before["email"])["profile"]
    via_phone = graphql.data(BY_ID, id=before["phone"])["profile"]

    assert via_email["id"] == survivor
    assert via_phone == via_email
    assert via_email["aliases"] == [absorbed]
    assert via_email["size"] == 2 + len(phone_also)
    assert by_identifier(graphql, "phone", phone)["id"] == survivor
    assert as_rest(via_email) == client.get(f"/v1/profiles/{survivor}").json()


@pytest.mark.parametrize(
    ("stored", "type_name", "written"),
    [
        ("email:ann.{tag}@acme-mail.org", "email", " Ann.{TAG}@ACME-Mail.org "),
        ("email:ann.{tag}@acme-mail.org", "email", "mailto:ann.{tag}@acme-mail.org"),
        ("phone:+1415555{line}", "phone", "(415) 555-{line}"),
    ],
)
def test_an_identifier_is_found_as_the_client_writes_it(
    client: httpx.Client, graphql: GraphQLClient, stored: str, type_name: str, written: str
) -> None:
    """Each case fills in an email `tag` (`TAG` in capitals) or phone `line` of its own."""
    tag, line = unique("lee"), unique_phone().removeprefix("+1415555")
    fill = {"tag": tag, "TAG": tag.upper(), "line": line}
    stored, written = stored.format(**fill), written.format(**fill)
    ingest(client, obs(unique("o1"), stored))

    profile = by_identifier(graphql, type_name, written)

    assert [i["key"] for i in profile["identifiers"]] == [stored]


def test_identifiers_of_one_type(client: httpx.Client, graphql: GraphQLClient) -> None:
    email, first, second = f"{unique('ann')}@acme.io", unique("c-1"), unique("c-2")
    ingest(client, obs(unique("o1"), f"email:{email}", f"cookie_id:{second}", f"cookie_id:{first}"))

    profile = graphql.data(
        """query ($email: String!) { profileByIdentifier(type: "email", value: $email) {
               cookies: identifiers(type: "cookie_id") { value }
               faxes: identifiers(type: "fax") { value } } }""",
        email=email,
    )["profileByIdentifier"]

    assert profile == {"cookies": [{"value": first}, {"value": second}], "faxes": []}


def test_merge_history_names_who_absorbed_whom(
    client: httpx.Client, graphql: GraphQLClient
) -> None:
    email, phone, joining = f"{unique('ann')}@acme.io", unique_phone(), unique("o3")
    ingest(client, obs(unique("o1"), f"email:{email}", at=0))
    ingest(client, obs(unique("o2"), f"phone:{phone}", at=1))
    ingest(client, obs(joining, f"email:{email}", f"phone:{phone}", at=2))

    profile = graphql.data(
        """query ($email: String!) { profileByIdentifier(type: "email", value: $email) {
               id aliases mergeHistory { absorbed survivor observationId at reason } } }""",
        email=email,
    )["profileByIdentifier"]

    [merge] = profile["mergeHistory"]
    assert (merge["survivor"], [merge["absorbed"]]) == (profile["id"], profile["aliases"])
    assert merge["observationId"] == joining
    assert merge["at"] == "2026-05-01T09:02:00Z"
    assert merge["reason"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ('{ profile(id: "prf_00000000000000000000") { id } }', "NOT_FOUND", None),
        ('{ profileByIdentifier(type: "email", value: "no@acme.io") { id } }', "NOT_FOUND", None),
        ('{ profileByIdentifier(type: "fax", value: "1") { id } }', "INVALID_INPUT", "type"),
        ('{ profileByIdentifier(type: "email", value: "bob") { id } }', "INVALID_INPUT", "value"),
    ],
)
def test_a_profile_that_cannot_be_found_says_why(
    graphql: GraphQLClient, query: str, code: str, field: str | None
) -> None:
    answer = graphql.post(query)

    [error] = answer["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field
    assert error["path"] in (["profile"], ["profileByIdentifier"])
    assert answer["data"] in ({"profile": None}, {"profileByIdentifier": None})
