"""What of the Neo4j store can be checked without a server: it offers every method of the port,
and its commit guard tells a settled read from one that overlapped a write."""

from __future__ import annotations

import inspect

from datora_graph.store.base import GraphStore
from datora_graph.store.neo4j import Neo4jStore
from datora_graph.store.neo4j_connection import GuardState

NOW = "2026-05-01T10:00:00.000000Z"
AN_HOUR_AGO = "2026-05-01T09:00:00.000000Z"


def _port_methods() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(GraphStore, inspect.isfunction)
        if not name.startswith("_")
    }


def test_the_neo4j_store_offers_every_method_of_the_port_with_its_signature() -> None:
    port = _port_methods()

    assert len(port) >= 20
    for name, signature in port.items():
        method = getattr(Neo4jStore, name, None)
        assert callable(method), f"Neo4jStore lacks {name}"
        ours = inspect.signature(method)
        assert list(ours.parameters) == list(signature.parameters), name


def test_an_even_guard_version_means_no_write_in_flight() -> None:
    assert not GuardState(4, NOW).write_in_flight(stale_before=AN_HOUR_AGO)
    assert not GuardState(None, None).write_in_flight(stale_before=AN_HOUR_AGO)


def test_an_odd_guard_version_means_a_write_in_flight() -> None:
    assert GuardState(5, NOW).write_in_flight(stale_before=AN_HOUR_AGO)


def test_a_write_older_than_any_write_can_take_was_left_by_a_crashed_writer() -> None:
    assert not GuardState(5, AN_HOUR_AGO).write_in_flight(stale_before=NOW)
