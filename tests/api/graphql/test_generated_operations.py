"""Operations generated from the committed schema (hypothesis-graphql), posted to a running
server over HTTP: every answer is a GraphQL answer, and every error in it carries one of the
documented codes, never INTERNAL (a resolver that raised). A new field, argument or mutation
is covered here without a test of its own.

The generator's IDs and strings are mixed with the store's own (profile, segment and review
item IDs, identifiers written `type:value`, event types), so resolvers run on real data, not
only on "not found"; mutations change the data the later examples read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from tests.api.graphql.shoppers import DEFINE, shoppers
from tests.conftest import served_as_admin

import datora_graph.api.graphql
from datora_graph.config import Settings

SDL = (Path(datora_graph.api.graphql.__file__).parent / "schema.graphql").read_text()
CODES = {"INVALID_INPUT", "NOT_FOUND", "FORBIDDEN", "LIMIT_EXCEEDED", "CONFLICT"}
WORDS = ["email", "phone", "cookie_id", "purchase", "page_view", "email_marketing", "city"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, list[str]]]:
    """An admin client of a server holding eight shoppers and a segment, and the values worth
    sending: the store's IDs and identifiers."""
    with served_as_admin(Settings(db=tmp_path_factory.mktemp("generated") / "datora.db")) as client:
        profile_ids = list(shoppers(client))
        segment = client.post(
            "/graphql",
            json={"query": DEFINE, "variables": {"name": "vip", "definition": {"all": []}}},
        ).json()["data"]["defineSegment"]["id"]
        identifiers = [f"cookie_id:c-{n}" for n in range(8)] + ["email:p1@acme.io"]
        yield client, [*profile_ids, segment, "vip", *identifiers]


def _scalars(known: list[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    text = st.text(max_size=8)
    leaf = st.one_of(
        st.integers(-5, 400).map(nodes.Int),
        text.map(nodes.String),
        st.booleans().map(nodes.Boolean),
    )
    when = st.datetimes(min_value=datetime(1990, 1, 1), timezones=st.just(UTC))
    return {
        "ID": (st.sampled_from(known) | text).map(nodes.String),
        "String": (st.sampled_from(known + WORDS) | text).map(nodes.String),
        "Date": when.map(lambda moment: nodes.String(moment.date().isoformat())),
        "DateTime": when.map(lambda moment: nodes.String(moment.isoformat())),
        "JSON": leaf | st.lists(leaf, max_size=3).map(nodes.List),
    }


def _answered_with_codes(client: httpx.Client, operation: str) -> None:
    response = client.post("/graphql", json={"query": operation})
    assert response.status_code in (200, 400), response.text
    answer: dict[str, Any] = response.json()
    assert set(answer) <= {"data", "errors", "extensions"}, answer
    for error in answer.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in CODES, f"{code}: {error['message']}\n{operation}"


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_every_generated_operation_is_answered_with_a_documented_code(
    served: tuple[httpx.Client, list[str]], mode: Mode
) -> None:
    client, known = served
    operations = from_schema(SDL, custom_scalars=_scalars(known), mode=mode)

    @settings(
        max_examples=120,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(operation=operations)
    def answered(operation: str) -> None:
        _answered_with_codes(client, operation)

    answered()
