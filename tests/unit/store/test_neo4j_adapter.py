"""What of the Neo4j store can be checked without a server: it offers every method of the port,
and its commit guard tells a settled read from one that overlapped a write."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from tests.conformance.builders import creation

from datora_graph.domain.audit import AuditEntry
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.erasure import ErasedRecord, Erasure
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import from_iso
from datora_graph.domain.segments import Segment, parse_definition
from datora_graph.domain.steward import Decision, GraphSlice, StewardChange
from datora_graph.store.base import GraphStore
from datora_graph.store.neo4j import Neo4jStore
from datora_graph.store.neo4j_commit_guard import GuardLease, GuardState
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_steward import STEWARD

NOW = "2026-05-01T10:00:00.000000Z"
AN_HOUR_AGO = "2026-05-01T09:00:00.000000Z"
IN_AN_HOUR = "2026-05-01T11:00:00.000000Z"


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
    assert not GuardState(4, NOW).write_in_flight(NOW, stale_before=AN_HOUR_AGO)
    assert not GuardState(4, NOW, IN_AN_HOUR).write_in_flight(NOW, stale_before=AN_HOUR_AGO)
    assert not GuardState(None, None).write_in_flight(NOW, stale_before=AN_HOUR_AGO)


def test_an_odd_guard_version_means_a_write_in_flight() -> None:
    assert GuardState(5, NOW).write_in_flight(NOW, stale_before=AN_HOUR_AGO)
    assert GuardState(5, NOW, IN_AN_HOUR).write_in_flight(NOW, stale_before=AN_HOUR_AGO)


def test_a_write_older_than_any_write_can_take_was_left_by_a_crashed_writer() -> None:
    assert not GuardState(5, AN_HOUR_AGO).write_in_flight(NOW, stale_before=NOW)
    assert not GuardState(5, AN_HOUR_AGO, AN_HOUR_AGO).write_in_flight(NOW, stale_before=NOW)


def test_a_write_is_in_flight_until_the_longest_its_writer_said_it_can_take() -> None:
    """A batch's commit may run for as long as the lock timeout: started longer ago than an
    ordinary write can take, it is still in flight while before its own bound, so a read that
    overlaps its commit reads again instead of showing half of it."""
    assert GuardState(5, AN_HOUR_AGO, IN_AN_HOUR).write_in_flight(NOW, stale_before=NOW)


TARGET = Neo4jTarget("bolt://db:7687", "neo4j", "x", "neo4j", 50, 30.0, 900.0, 0.3)


class GuardRecorder(Neo4jConnection):
    """A connection without a server that keeps the statements and parameters of each guard
    write, answering as a guard whose mark stays the writer's."""

    def __init__(self) -> None:
        self.target = TARGET
        self._fence = None
        self._mark = None
        self._lease = GuardLease(TARGET.guard_lease_seconds)
        self.written: list[tuple[str, dict[str, Any] | None]] = []

    def run(self, statement: str, parameters: dict[str, Any] | None = None) -> GuardRecorder:
        self.written.append((statement, parameters))
        return self

    def consume(self) -> None:
        return None

    def single(self) -> dict[str, int]:
        return {"version": 5}

    def execute_write(self, work: Callable[[Any], Any], timeout: float | None = None) -> Any:
        return work(self)

    def sent(self, statement: str) -> list[dict[str, Any] | None]:
        return [params for run, params in self.written if run == statement]


def test_a_mark_holds_for_the_lease_and_its_heartbeats_extend_it_until_the_block_ends() -> None:
    connection = GuardRecorder()

    with connection.writing():
        time.sleep(TARGET.guard_lease_seconds * 1.2)
    beats = connection.sent(CYPHER.guard_extend_lease)
    time.sleep(TARGET.guard_lease_seconds / 2)

    [begun] = connection.sent(CYPHER.guard_begin_write)
    assert begun is not None
    assert begun["lease_ms"] == 300
    assert (from_iso(begun["until"]) - from_iso(begun["now"])).total_seconds() == 0.3
    assert len(beats) >= 2, "a heartbeat every third of the lease"
    assert all(b is not None and (b["version"], b["fence"]) == (5, None) for b in beats)
    assert connection.sent(CYPHER.guard_extend_lease) == beats, "no beat after the block"
    assert len(connection.sent(CYPHER.guard_end_write)) == 1


class BulkWatcher:
    """Stands in for the connection of a store, noting how each write is marked."""

    def __init__(self) -> None:
        self.marked: list[bool] = []

    @contextmanager
    def writing(self) -> Iterator[None]:
        self.marked.append(True)
        yield

    def execute_bulk_write(self, work: Callable[[Any], Any]) -> Any:
        return None


AUDIT = AuditEntry("aud_1", from_iso(NOW), "ann", "erasure", "test", (), ())


def _decision() -> Decision:
    return Decision("dec_1", "split", "ann", "test", datetime(2026, 5, 1), (), ())


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.commit(creation("prf_ann", ["email:ann@acme.io"], seq=1).changeset),
        lambda store: store.apply_steward_change(
            StewardChange(_decision(), GraphSlice(), record=False)
        ),
        lambda store: store.erase(Erasure("prf_ann", (), (), (), AUDIT)),
    ],
    ids=["changeset", "steward", "erasure"],
)
def test_the_writes_bounded_by_the_lock_timeout_mark_the_guard(
    write: Callable[[Neo4jStore], object],
) -> None:
    watcher = BulkWatcher()
    store = object.__new__(Neo4jStore)
    store._neo4j = watcher  # type: ignore[assignment]

    write(store)

    assert watcher.marked == [True]


class UnlockedWrites:
    """Stands in for the connection of a store for writes made beside the writer lock: runs
    their statements against nothing, and fails any that marks the commit guard."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @contextmanager
    def writing(self) -> Iterator[None]:
        raise AssertionError("a write beside the writer lock marked the commit guard")
        yield  # pragma: no cover

    def execute_write(self, work: Callable[[Any], Any], timeout: float | None = None) -> Any:
        return work(self)

    def run(self, statement: str, parameters: dict[str, Any] | None = None) -> UnlockedWrites:
        self.statements.append(statement)
        return self

    def consume(self) -> None:
        return None

    def single(self) -> dict[str, bool]:
        return {"updated": True, "deleted": True}


WHEN = from_iso(NOW)
SEGMENT = Segment(
    "seg_1", "Buyers", "", parse_definition({"event": {"type": "purchase"}}), None, WHEN, WHEN
)


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.record_consent(
            [ConsentStatement(Identifier("email", "ann@acme.io"), "email", "granted", WHEN, "web")]
        ),
        lambda store: store.create_segment(SEGMENT),
        lambda store: store.update_segment(SEGMENT),
        lambda store: store.delete_segment("seg_1"),
        lambda store: store.add_erased_records(
            [ErasedRecord("f" * 64, "observation", NOW, "aud_1")]
        ),
    ],
    ids=["consent", "create_segment", "update_segment", "delete_segment", "erased_records"],
)
def test_writes_beside_the_writer_lock_leave_the_commit_guard_alone(
    write: Callable[[Neo4jStore], object],
) -> None:
    """They run beside a batch's commit (POST /consent in another API worker): had they marked
    the guard, the end of their mark would make its version even while the batch still commits,
    and a guarded read could show half of the batch. No guarded read reads what they write."""
    connection = UnlockedWrites()
    store = object.__new__(Neo4jStore)
    store._neo4j = connection  # type: ignore[assignment]

    write(store)

    assert connection.statements


def test_no_guarded_read_reads_what_writes_beside_the_writer_lock_write() -> None:
    guarded = [
        CYPHER.stats,
        CYPHER.graph_counts,
        CYPHER.identifier_profiles,
        CYPHER.profile_states,
        CYPHER.constraint_sides_of_profiles,
        CYPHER.constraint_sides_of_keys,
        CYPHER.identifier_guards,
        STEWARD.steward_slice_profiles,
        STEWARD.steward_slice_identifiers,
        STEWARD.steward_slice_aliases,
        STEWARD.steward_slice_evidence,
    ]
    for statement in guarded:
        for label in (":Consent", ":Segment", ":ErasedRecord"):
            assert label not in statement
