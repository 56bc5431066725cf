"""A migration under other settings than the records were ingested with: like a rebuild, it
stops before writing to the target unless allowed, and the records it was let reject are kept
in the target's log and listed there, so a rebuild of the target that accepts them brings them
back. The target counts activity under its own trait settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from datora_graph.config import Settings
from datora_graph.domain.errors import MigrationWouldReject
from datora_graph.domain.profiles import RejectionFilter
from datora_graph.migrate import Migration, check_log
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

from .loyalty import ingest_loyal, settings


def profiles(store: GraphStore) -> list[tuple[str, list[str]]]:
    return [
        (p.id, sorted(i.identifier.key for i in p.identifiers))
        for batch in store.iter_profiles()
        for p in batch
    ]


def rejected(store: GraphStore) -> list[str]:
    return sorted(str(r.item_id) for _, r in store.list_rejections(RejectionFilter()).items)


def test_a_migration_that_would_reject_held_records_writes_nothing_to_the_target(
    store: GraphStore, tmp_path: Path
) -> None:
    ingest_loyal(store, tmp_path)
    target = SqliteStore(tmp_path / "target.db")
    try:
        with pytest.raises(MigrationWouldReject) as refused:
            Migration(store, target, settings(tmp_path, loyalty=False)).run()

        assert refused.value.rejected == 2
        assert [e.split(":")[0] for e in refused.value.examples] == ["o1", "o3"]
        message = str(refused.value)
        assert "a migration under the current settings would reject 2 logged observations" in (
            message
        )
        assert "the source's graph holds" in message
        assert "nothing was written to the target" in message
        assert "is DATORA_IDENTIFIER_TYPES set as when they were ingested?" in message
        stats = target.stats()
        assert (stats.observations, stats.profiles, stats.rejections) == (0, 0, 0)
        check_log(store, settings(tmp_path, loyalty=True))  # as ingested: nothing to refuse
    finally:
        target.close()


def test_an_allowed_migration_keeps_what_it_rejects_in_the_target_log_and_lists_it(
    store: GraphStore, tmp_path: Path
) -> None:
    """The target under test receives the rejected records as log entries that resolve
    nothing; rebuilt under its own settings it keeps them rejected (not lost), and rebuilt
    under the settings they were ingested with it holds the source's profiles."""
    source = SqliteStore(tmp_path / "source.db")
    try:
        ingest_loyal(source, tmp_path)
        plain = settings(tmp_path, loyalty=False)

        report = Migration(source, store, plain).run(allow_rejections=True)

        assert (report.observations, report.rejected_on_replay) == (1, 2)
        assert not report.matches  # Ann's profile and L-3's are left out, as allowed
        assert rejected(store) == ["bad", "o1", "o3"]
        assert store.stats().observations == 3
        assert profiles(store) == [p for p in profiles(source) if p[1] == ["email:bob@acme.io"]]

        IdentityService(store, plain).rebuild()
        assert rejected(store) == ["bad", "o1", "o3"]

        IdentityService(store, settings(tmp_path, loyalty=True)).rebuild()
        assert rejected(store) == ["bad"]
        assert profiles(store) == profiles(source)
    finally:
        source.close()


def test_records_a_rebuild_of_the_source_rejected_are_rejected_once_or_accepted(
    store: GraphStore, tmp_path: Path
) -> None:
    """The source's graph no longer holds them, so the check lets them through; the
    rejections a replay made are not copied but made again by the target's replay, only where
    the target's settings reject them too."""
    identity = ingest_loyal(store, tmp_path)
    before = profiles(store)
    IdentityService(store, settings(tmp_path, loyalty=False)).rebuild(allow_rejections=True)
    assert rejected(store) == ["bad", "o1", "o3"]
    rejecting = SqliteStore(tmp_path / "rejecting.db")
    accepting = SqliteStore(tmp_path / "accepting.db")
    try:
        still = Migration(store, rejecting, settings(tmp_path, loyalty=False)).run()
        again = Migration(store, accepting, identity.settings).run()

        assert (still.rejected_on_replay, still.rejections) == (2, 1)
        assert still.matches
        assert rejected(rejecting) == ["bad", "o1", "o3"]
        assert (again.rejected_on_replay, again.rejections) == (0, 1)
        assert rejected(accepting) == ["bad"]
        assert profiles(accepting) == before
    finally:
        rejecting.close()
        accepting.close()


def test_the_target_counts_activity_under_its_own_trait_settings(
    store: GraphStore, tmp_path: Path
) -> None:
    """Without a service opening the target: its traits and segments use the settings it was
    migrated under from the start (a first open would otherwise recount every profile)."""
    source = SqliteStore(tmp_path / "source.db")
    try:
        plain = Settings(db=source.path)
        identity = IdentityService(source, plain)
        identity.ingest_observations([observation("o1", ["email:ann@acme.io"])])
        identity.ingest_events([event("v1", ["email:ann@acme.io"], "page_view", {})])
        identity.ingest_events([event("v2", ["email:ann@acme.io"], "signup", {"revenue": 7})])
        scored = plain.model_copy(
            update={"event_scores": {"page_view": 2.5}, "order_event_types": ["signup"]}
        )

        Migration(source, store, scored).run()

        ann = store.profile_ids_for_identifiers(["email:ann@acme.io"])["email:ann@acme.io"]
        activity = store.trait_facts([ann])[ann].activity
        assert activity is not None
        assert (activity.engagement_milli, activity.orders, activity.revenue_cents) == (
            2500 + 1000,
            1,
            700,
        )
        source_activity = source.trait_facts([ann])[ann].activity
        assert source_activity is not None
        assert (source_activity.engagement_milli, source_activity.orders) == (2000, 0)
    finally:
        source.close()


def observation(record_id: str, keys: list[str]) -> dict[str, object]:
    return {
        "id": record_id,
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
    }


def event(
    event_id: str, keys: list[str], type_: str, properties: dict[str, object]
) -> dict[str, object]:
    return {
        "id": event_id,
        "type": type_,
        "occurred_at": "2026-05-02T10:00:00Z",
        "source": "shop",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
        "properties": properties,
    }
