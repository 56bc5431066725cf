"""A migration and a live writer into one target: the migration holds the target's writer lock
throughout, so an ingest through another handle (another process, or `datora serve`) waits
and comes after it, rather than landing between a steward decision's read of the profiles and
its write, where the identifier it linked was left with a profile the decision absorbed.

And a live writer into the source: the migration holds its lock too, so the target is the
source as of one moment; a write made beside that lock (consent) is named, not lost unsaid."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datora_graph.config import Settings
from datora_graph.domain.audit import new_audit_entry
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.steward import GraphSlice
from datora_graph.migrate import Migration, Stage
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


def _source_with_two_people(path: Path) -> SqliteStore:
    source = SqliteStore(path)
    IdentityService(source, Settings()).ingest_observations(
        [seen("o1", 1, "email:ann@acme.io"), seen("o2", 2, "email:bob@acme.io")]
    )
    return source


def test_an_ingest_into_the_source_waits_for_the_migration_from_it(
    store_opener: StoreOpener, tmp_path: Path
) -> None:
    """Bob's phone is sent to the source (another handle, as `datora serve` would) once the
    log was carried: it waits for the migration, so the target is the source as it was when
    the migration started, and the report says nothing changed."""
    source = _source_with_two_people(tmp_path / "source.db")
    live = LiveIngest(SqliteStore(tmp_path / "source.db"))
    landed_inside: list[bool] = []

    def send_once_the_log_is_carried(stage: Stage, _count: int) -> None:
        if stage == "decisions" and not live.is_alive() and not live.done.is_set():
            live.start()
            landed_inside.append(live.done.wait(BLOCKED_SECONDS))

    try:
        target = store_opener.open()
        report = Migration(source, target, Settings()).run(progress=send_once_the_log_is_carried)
        live.join(WAIT_SECONDS)

        assert live.failure is None
        assert landed_inside == [False], "the live ingest ran inside the migration"
        assert report.source_changed == []
        assert report.matches, report.verification.examples
        assert target.profile_ids_for_identifiers([PHONE]) == {}
        assert PHONE in source.profile_ids_for_identifiers([PHONE])
    finally:
        source.close()


def test_consent_recorded_into_the_source_during_the_migration_is_named(
    store_opener: StoreOpener, tmp_path: Path
) -> None:
    """Consent is recorded beside the writer lock (`POST /v1/consent` does not wait for it):
    a statement that reaches the source after the consent stage was carried is missing from
    the target, and the report names it rather than calling the migration a match."""
    source = _source_with_two_people(tmp_path / "source.db")
    late = ConsentStatement(
        Identifier("email", "ann@acme.io"),
        "email_marketing",
        "granted",
        datetime(2026, 5, 2, tzinfo=UTC),
        "web",
    )

    def consent_after_its_stage(stage: Stage, _count: int) -> None:
        if stage == "api-keys":
            source.record_consent([late])

    try:
        report = Migration(source, store_opener.open(), Settings()).run(
            progress=consent_after_its_stage
        )

        assert report.verification.matches
        assert report.source_changed == ["consent statements: 1 more (0 when it started, 1 now)"]
        assert not report.matches
    finally:
        source.close()


def test_a_segment_export_from_the_source_during_the_migration_is_named(
    store_opener: StoreOpener, tmp_path: Path
) -> None:
    """A segment export writes its audit entry beside the lock: one written after the audit
    stage read the source's log is missing from the target, and named."""
    source = _source_with_two_people(tmp_path / "source.db")

    def export_after_the_audit_stage(stage: Stage, _count: int) -> None:
        if stage == "audit":
            source.append_audit([new_audit_entry("marketer", "segment_export", "exported")])

    try:
        source.append_audit([new_audit_entry("admin", "key_create", "made a key")])
        report = Migration(source, store_opener.open(), Settings()).run(
            progress=export_after_the_audit_stage
        )

        assert report.audit_entries == 1
        assert report.source_changed == [
            "audit entries: written after they were carried (a segment export, say)"
        ]
    finally:
        source.close()
