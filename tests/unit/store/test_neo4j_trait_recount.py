"""A full recount of the traits on Neo4j (the trait settings changed) runs under the writer
lock: a page recounted while an ingest commits would read the activity from before that ingest
and write totals that leave its events out. The server is not here; the calls are recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from datora_graph.domain.traits import TraitSettings
from datora_graph.store.neo4j import Neo4jStore


class Recorder:
    """Stands in for the connection and the writer lock, writing down what happens in order."""

    def __init__(self, holds_lock: bool) -> None:
        self.events: list[str] = []
        self.holds_lock = holds_lock

    def __enter__(self) -> None:
        self.events.append("lock taken")

    def __exit__(self, *exc: object) -> None:
        self.events.append("lock released")

    def holds_writer_lock(self) -> bool:
        return self.holds_lock

    @contextmanager
    def writing(self) -> Iterator[None]:
        yield

    def execute_read(self, work: Callable[[Any], Any]) -> Any:
        return None  # no settings stored yet: recount

    def execute_write(self, work: Callable[[Any], Any], timeout: float | None = None) -> Any:
        self.events.append("write")
        return None  # a settings write, or a recount page finding no profiles


def recount(holds_lock: bool) -> list[str]:
    recorder = Recorder(holds_lock)
    store = object.__new__(Neo4jStore)
    store._neo4j = recorder  # type: ignore[assignment]
    store._writer_lock = recorder
    store.configure_traits(TraitSettings())
    return recorder.events


@pytest.mark.parametrize("holds_lock", [False, True])
def test_a_recount_runs_under_the_writer_lock_taken_once(holds_lock: bool) -> None:
    writes = ["write"] * 3  # settings (not recounted), one page, settings (recounted)

    expected = writes if holds_lock else ["lock taken", *writes, "lock released"]

    assert recount(holds_lock) == expected
