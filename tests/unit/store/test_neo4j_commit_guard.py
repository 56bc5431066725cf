"""The commit guard's lease without a server: when a reader stops waiting for a mark, how a
writer's heartbeats are paced and stop, and that a write inside a mark commits only while its
lease runs. Transactions are stand-ins that answer as the server's guard would."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.store.neo4j_commit_guard import (
    GuardLease,
    GuardMark,
    GuardState,
    LeaseKeeper,
    leased,
)
from datora_graph.store.neo4j_cypher import CYPHER

NOW = "2026-05-01T10:00:00.000000Z"
AN_HOUR_AGO = "2026-05-01T09:00:00.000000Z"
IN_TWO_HOURS = "2026-05-01T12:00:00.000000Z"
READ_AT = 1_780_000_000_000
"""The server's clock when the guard was read (epoch milliseconds)."""


def in_flight(state: GuardState) -> bool:
    return state.write_in_flight(NOW, stale_before=AN_HOUR_AGO)


def test_a_mark_is_in_flight_while_its_lease_runs() -> None:
    assert in_flight(GuardState(5, NOW, NOW, lease_until=READ_AT + 1, read_at=READ_AT))
    assert in_flight(GuardState(5, NOW, NOW, lease_until=READ_AT, read_at=READ_AT))


def test_a_mark_whose_lease_ran_out_was_left_by_a_crashed_writer_however_recent() -> None:
    """A batch's mark once said it could last two hours; a lease says only as long as its
    writer beats, whatever the bound on the writer's clock says."""
    lapsed = GuardState(5, NOW, IN_TWO_HOURS, lease_until=READ_AT - 1, read_at=READ_AT)

    assert not in_flight(lapsed)


def test_an_even_version_is_no_write_in_flight_whatever_its_lease() -> None:
    assert not in_flight(GuardState(6, NOW, IN_TWO_HOURS, lease_until=READ_AT + 9, read_at=READ_AT))


def test_a_mark_without_a_lease_goes_by_the_bound_its_writer_gave() -> None:
    """A writer of a release before the lease, during a rolling upgrade."""
    assert in_flight(GuardState(5, NOW, IN_TWO_HOURS, read_at=READ_AT))
    assert not in_flight(GuardState(5, AN_HOUR_AGO, AN_HOUR_AGO, read_at=READ_AT))


def test_when_the_guard_was_read_is_no_part_of_what_a_read_compares() -> None:
    """Reads before and after the work agree when nothing but the clock moved."""
    first = GuardState(6, NOW, NOW, READ_AT - 5, read_at=READ_AT)

    assert first == GuardState(6, NOW, NOW, READ_AT - 5, read_at=READ_AT + 250)
    assert first != GuardState(6, NOW, NOW, READ_AT + 900, read_at=READ_AT), "a beat landed"


def test_a_lease_beats_three_times_and_keeps_a_beat_for_the_commit() -> None:
    lease = GuardLease(15.0)

    assert (lease.ms, lease.heartbeat_seconds, lease.margin_ms) == (15_000, 5.0, 5_000)


class Beats:
    """What a heartbeat answers, call by call: True (extended), False (no longer the
    writer's mark) or an exception (the server did not answer)."""

    def __init__(self, *answers: bool | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0
        self.done = threading.Event()

    def __call__(self) -> bool:
        self.calls += 1
        answer = self.answers.pop(0) if self.answers else True
        if not self.answers:
            self.done.set()
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_heartbeats_come_every_interval_until_the_block_ends() -> None:
    beats = Beats()
    with LeaseKeeper(0.02, beats):
        time.sleep(0.15)
    calls = beats.calls
    time.sleep(0.06)

    assert 3 <= calls <= 8
    assert beats.calls == calls, "a beat after the block ended"


def test_heartbeats_stop_once_the_mark_is_no_longer_the_writers() -> None:
    beats = Beats(True, False)
    with LeaseKeeper(0.01, beats):
        assert beats.done.wait(5)
        time.sleep(0.05)

    assert beats.calls == 2


def test_a_failed_heartbeat_is_tried_again_at_the_next_beat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    beats = Beats(StoreUnavailable("Neo4j at bolt://db:7687 cannot be reached"), True)
    with LeaseKeeper(0.01, beats):
        assert beats.done.wait(5)

    assert beats.calls >= 2
    assert "heartbeat failed (Neo4j at bolt://db:7687 cannot be reached)" in caplog.text


def test_ending_a_block_does_not_wait_for_a_whole_interval() -> None:
    started = time.monotonic()
    with LeaseKeeper(30.0, Beats()):
        pass

    assert time.monotonic() - started < 1


class LeaseTransaction:
    """A write transaction on a server whose guard answers `held` to the lease check."""

    def __init__(self, held: bool | None) -> None:
        self.held = held
        self.statements: list[tuple[str, dict[str, Any]]] = []

    def run(self, statement: str, parameters: dict[str, Any]) -> LeaseTransaction:
        self.statements.append((statement, parameters))
        return self

    def single(self) -> dict[str, Any] | None:
        return None if self.held is None else {"held": self.held}


MARK = GuardMark(thread=1, version=7, fence=3)


def work(tx: LeaseTransaction) -> str:
    tx.run("the batch", {})
    return "written"


def test_a_write_inside_a_mark_checks_its_lease_last_and_commits_while_it_runs() -> None:
    tx = LeaseTransaction(held=True)

    assert leased(work, MARK, GuardLease(15.0), "bolt://db:7687")(tx) == "written"  # type: ignore[arg-type]
    assert tx.statements == [
        ("the batch", {}),
        (CYPHER.guard_lease_check, {"version": 7, "margin_ms": 5_000}),
    ]


@pytest.mark.parametrize("held", [False, None])
def test_a_write_whose_lease_ran_out_fails_rather_than_commit(held: bool | None) -> None:
    """Readers may no longer wait for its mark: committing now could show them half of it."""
    unit = leased(work, MARK, GuardLease(15.0), "bolt://db:7687")

    with pytest.raises(StoreUnavailable) as refused:
        unit(LeaseTransaction(held))  # type: ignore[arg-type]

    assert "lease of 15 s (DATORA_NEO4J_GUARD_LEASE_SECONDS) ran out" in str(refused.value)
    assert "send the request again" in str(refused.value)
