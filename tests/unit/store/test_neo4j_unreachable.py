"""Opening the Neo4j store where no Neo4j answers, or with a URI it cannot use, fails at once
with an error naming the URI (no server needed: a loopback port nobody listens on)."""

from __future__ import annotations

import socket

import pytest

from datora_graph.config import Settings
from datora_graph.domain.errors import ConfigurationError, StoreUnavailable
from datora_graph.store import open_store


def _closed_port() -> int:
    """A loopback port that was free a moment ago and that nobody listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _settings(uri: str) -> Settings:
    return Settings(
        store="neo4j", neo4j_uri=uri, neo4j_password="secret", neo4j_timeout_seconds=2.0
    )


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_an_unreachable_server_is_reported_naming_the_uri(scheme: str) -> None:
    uri = f"{scheme}://127.0.0.1:{_closed_port()}"

    with pytest.raises(StoreUnavailable) as refused:
        open_store(_settings(uri))

    assert f"Neo4j at {uri} cannot be reached" in str(refused.value)


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:7474", "localhost:7687", "bolt://127.0.0.1:notaport"]
)
def test_a_uri_the_driver_cannot_use_names_the_setting(uri: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        open_store(_settings(uri))

    assert str(refused.value).startswith(f"DATORA_NEO4J_URI={uri!r}")
