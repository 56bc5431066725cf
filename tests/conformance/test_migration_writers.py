"""A migration and a live writer into one target: the migration holds the target's writer lock
throughout, so an ingest through another handle (another process, or `datora serve`) waits
and comes after it, rather than landing between a steward decision's read of the profiles and
its write, where the identifier it linked was left with a profile the decision absorbed."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datora_graph.config import Settings
from datora_graph.domain.steward import GraphSlice
from datora_graph.migrate import Migration
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

from .conftest import StoreOpener

WAIT_SECONDS = 30
BLOCKED_SECONDS = 0.5
"""How long the live writer is given to land inside the migration; with the lock held it
must still be waiting after that."""
PHONE = "phone:+14155550101"


def seen(item_id: str, minute: int, *keys: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "shop",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
    }


class LiveIngest(threading.Thread):
    """One batch sent to the target through its own handle, as another process would."""

    def __init__(self, store: GraphStore) -> None:
        super().__init__(daemon=True)
        self.service = IdentityService(store, Settings())
        self.done = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self.service.ingest_observations([seen("live-1", 9, "email:bob@acme.io", PHONE)])
        except BaseException as error:  # a thread's failure would only be a warning
            self.failure = error
        finally:
            self.done.set()


def test_an_ingest_into_the_target_waits_for_the_migration_into_it(
    store_opener: StoreOpener, tmp_path: Path
) -> None:
    source = SqliteStore(tmp_path / "source.db")
    try:
        identity = IdentityService(source, Settings())
        identity.ingest_observations(
            [seen("o1", 1, "email:ann@acme.io"), seen("o2", 2, "email:bob@acme.io")]
        )
        StewardService(identity).merge_profiles(
            "email:ann@acme.io", "email:bob@acme.io", reason="one person", actor="steward"
        )
        target = store_opener.open()
        IdentityService(target, Settings()).ingest_observations(
            [seen("t0", 0, "email:zed@acme.io")]
        )
        live = LiveIngest(store_opener.open())
        landed_inside: list[bool] = []
        read_slice = target.profile_slice

        def slice_then_ingest(ids: Sequence[str]) -> GraphSlice:
            """The re-applied merge has read Ann's and Bob's profiles: the live batch (Bob's
            email with a new phone) is sent now, before the merge is written."""
            found = read_slice(ids)
            if not live.is_alive() and not live.done.is_set():
                live.start()
                landed_inside.append(live.done.wait(BLOCKED_SECONDS))
            return found

        target.profile_slice = slice_then_ingest  # type: ignore[method-assign]

        report = Migration(source, target, Settings(), batch_size=1).run(into_nonempty=True)
        live.join(WAIT_SECONDS)

        assert live.failure is None
        ann = target.profile_ids_for_identifiers(["email:ann@acme.io"])["email:ann@acme.io"]
        assert target.profile_ids_for_identifiers([PHONE]) == {PHONE: ann}, (
            "the phone the live ingest linked to Bob was left with Bob's absorbed profile"
        )
        assert landed_inside == [False], "the live ingest ran inside the migration"
        assert report.matches, report.verification.examples
        assert report.decisions_reapplied == 1
        [merged] = target.get_profiles([ann]).values()
        assert sorted(i.identifier.key for i in merged.identifiers) == [
            "email:ann@acme.io",
            "email:bob@acme.io",
            PHONE,
        ]
    finally:
        source.close()
