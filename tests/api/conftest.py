"""`keys`: one real API key per scope, in the test server's store, for the access tests;
`keyed_server`: the same over one server shared by a module; `graphql_client`: GraphQL over
the test server with the admin key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.api.graphql.conftest import GraphQLClient
from tests.conftest import _serve as serve
from tests.conftest import auth_headers

from datora_graph.api import create_app
from datora_graph.config import Settings
from datora_graph.domain.access import SCOPES
from datora_graph.store import open_store


def key_name(scope: str) -> str:
    return "key-" + scope.replace(":", "-")


@pytest.fixture
def keys(settings: Settings, server: str) -> dict[str, dict[str, str]]:
    """The headers of a key per scope (named `key_name(scope)`), by scope."""
    store = open_store(settings)
    try:
        return {scope: auth_headers(store, key_name(scope), scope) for scope in SCOPES}
    finally:
        store.close()


KeyedServer = tuple[str, dict[str, dict[str, str]]]


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyedServer]:
    """One server and a key per scope for a whole module of tests that only read: the many
    parametrised access checks would otherwise each start a server."""
    settings = Settings(db=tmp_path_factory.mktemp("keyed") / "datora.db")
    store = open_store(settings)
    try:
        keys = {scope: auth_headers(store, key_name(scope), scope) for scope in SCOPES}
    finally:
        store.close()
    with serve(create_app(settings)) as url:
        yield url, keys


@pytest.fixture
def graphql_client(server: str, admin_token: str) -> Iterator[GraphQLClient]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=server, timeout=30, headers=headers) as http:
        yield GraphQLClient(http)
