"""The embedded store looks for mentions a page of rows at a time, each page a read of its
own: no read grows with the log (so none meets DATORA_READ_TIMEOUT_SECONDS), and writes go on
between them, a record logged meanwhile being found when it comes after the page read last."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore


def obs(item_id: str, minute: int, **attributes: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "crm",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [{"type": "email", "value": f"{item_id}@acme.io"}],
        "attributes": attributes,
    }


@pytest.fixture
def identity(tmp_path: Path) -> Iterator[IdentityService]:
    store = SqliteStore(tmp_path / "t.db", read_timeout_seconds=5)
    service = IdentityService(store, Settings(db=tmp_path / "t.db"))
    report = service.ingest_observations(
        [obs(f"o{n}", n, referrer="Ann@Acme.io" if n % 2 else "nobody") for n in range(1, 8)]
    )
    assert report.accepted == 7
    yield service
    store.close()


def count_reads(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch, after: Callable[[int], None]
) -> None:
    """Make each of `store`'s reads call `after` with how many reads have ended so far."""
    read = store._read
    reads = 0

    @contextmanager
    def counted() -> Iterator[Any]:
        nonlocal reads
        with read() as db:
            yield db
        reads += 1
        after(reads)

    monkeypatch.setattr(store, "_read", counted)


def test_each_page_is_a_read_of_its_own(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = identity.store
    assert isinstance(store, SqliteStore)
    reads: list[int] = []
    count_reads(store, monkeypatch, reads.append)

    page = store.records_mentioning(["ann@acme.io"], 10, page_rows=3)

    assert [m.record_id for m in page.items] == ["o1", "o3", "o5", "o7"]
    # Seven observations three at a time (3, 3, 1), one read finding no events and one
    # finding no steward decisions.
    assert len(reads) == 5


def test_a_record_logged_between_pages_is_found(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = identity.store
    assert isinstance(store, SqliteStore)

    def then_ingest(reads: int) -> None:
        if reads == 1:  # the writer is free: this search holds no lock between pages
            identity.ingest_observations([obs("o8", 8, note="ANN@acme.io")])

    count_reads(store, monkeypatch, then_ingest)

    page = store.records_mentioning(["ann@acme.io"], 10, page_rows=3)

    assert [m.record_id for m in page.items] == ["o1", "o3", "o5", "o7", "o8"]
