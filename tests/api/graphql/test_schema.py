"""The schema a client discovers is the committed `schema.graphql`, and GraphiQL is served.

When a change to the schema is deliberate, regenerate the file and commit it with the change:

    python -m datora_graph.api.graphql --write
"""

from __future__ import annotations

from typing import Any

import httpx
from graphql import (
    GraphQLNonNull,
    build_client_schema,
    build_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)

from datora_graph.api.graphql.schema import SDL_PATH, sdl

from .conftest import GraphQLClient

REGENERATE = (
    "the schema changed; if that is deliberate run `python -m datora_graph.api.graphql --write`"
)


def canonical(schema_text: str) -> str:
    return print_schema(lexicographic_sort_schema(build_schema(schema_text)))


def test_the_schema_is_the_committed_sdl() -> None:
    assert sdl() == SDL_PATH.read_text(), REGENERATE


def test_every_mutation_answers_a_nullable_type() -> None:
    """A non-null mutation that fails nulls the whole `data`, hiding the results of the
    mutations that ran before it in the same operation (see `mutations.Mutation`)."""
    mutation = build_schema(sdl()).mutation_type
    assert mutation is not None

    non_null = [name for name, f in mutation.fields.items() if isinstance(f.type, GraphQLNonNull)]

    assert non_null == []


def test_introspection_over_http_finds_the_committed_schema(graphql: GraphQLClient) -> None:
    introspection: dict[str, Any] = graphql.data(
        get_introspection_query(descriptions=True, specified_by_url=True)
    )

    discovered = print_schema(lexicographic_sort_schema(build_client_schema(introspection)))

    assert discovered == canonical(SDL_PATH.read_text()), REGENERATE
    types = {t["name"] for t in introspection["__schema"]["types"]}
    assert {"Profile", "Identifier", "Event", "ReviewItem", "PageInfo"} <= types


def test_graphiql_is_served_to_a_browser(server: str) -> None:
    response = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
