"""`migrate.Migration` between the store under test and an embedded one, both ways: the same
profiles (IDs, identifiers, golden attributes), events, consent, cannot-links, segments,
rejected items and erased-record fingerprints come out, and the verification says so. On Neo4j
this is `datora migrate --to neo4j` and back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from datora_graph.access_service import create_key, revoke_key
from datora_graph.config import Settings
from datora_graph.demo.generator import generate
from datora_graph.domain.access import hash_token
from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.errors import Conflict
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import RejectionFilter
from datora_graph.domain.segments import Segment, parse_definition
from datora_graph.erasure_service import ErasureService
from datora_graph.migrate import Migration, verify
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

AT = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> Any:
    return generate(60, seed=5)


def _fill(store: GraphStore, data: Any) -> None:
    service = IdentityService(store, Settings())
    service.ingest_observations([*data.observations, {"id": "broken"}])
    service.ingest_events(data.events)
    first = next(iter(store.iter_profiles()))[0]
    email = Identifier("email", "ann@acme.io")
    store.record_consent([ConsentStatement(email, "email_marketing", "granted", AT, "web")])
    # As late and alike: the export carries "crm" first, and the source in force must not
    # depend on that order.
    store.record_consent([ConsentStatement(email, "email_marketing", "granted", AT, "crm")])
    store.add_cannot_link(first.identifiers[0].identifier.key, "email:x@acme.io", "two people")
    definition = parse_definition({"event": {"type": "purchase"}})
    store.create_segment(Segment("seg_1", "Buyers", "", definition, None, AT, AT))
    last = [p for batch in store.iter_profiles() for p in batch][-1]
    ErasureService(service).erase_profile(last.id, reason="GDPR request 7", actor="dpo")


def _contents(store: GraphStore) -> tuple[Any, ...]:
    return (
        [p for batch in store.iter_profiles() for p in batch],
        [e for batch in store.iter_events() for e in batch],
        sorted((s for b in store.iter_consent_statements() for s in b), key=repr),
        store.consent_of_identifiers(["email:ann@acme.io"]),
        [(c.a, c.b, c.reason, c.created_at) for c in store.list_cannot_links()],
        store.list_segments(),
        [r for _, r in store.list_rejections(RejectionFilter(limit=1000)).items],
        [r for batch in store.iter_erased_records() for r in batch],
        _audit(store),
    )


def _audit(store: GraphStore) -> list[tuple[str, str, str, datetime]]:
    """The whole audit log, newest first."""
    entries = []
    after = None
    while True:
        page = store.list_audit(AuditFilter(first=100, after=after))
        entries.extend((e.id, e.action, e.actor, e.at) for e in page.items)
        if page.next_cursor is None:
            return entries
        after = page.next_cursor


def _comparable(contents: tuple[Any, ...]) -> tuple[Any, ...]:
    profiles, *rest = contents
    shapes = [(p.id, [i.identifier for i in p.identifiers], p.attributes) for p in profiles]
    return (shapes, *rest)


def test_a_store_migrated_there_and_back_holds_the_same(
    store: GraphStore, data: Any, tmp_path: Path
) -> None:
    _fill(store, data)
    embedded = SqliteStore(tmp_path / "there.db")
    back = SqliteStore(tmp_path / "back.db")
    try:
        there = Migration(store, embedded, Settings(), batch_size=50).run()
        again = Migration(embedded, back, Settings(), batch_size=50).run()

        assert there.matches
        assert again.matches
        assert there.verification.source_profiles == there.verification.target_profiles > 20
        assert there.rejected_on_replay == 0
        assert there.events == there.source_events > 0
        statements = sum(len(batch) for batch in store.iter_consent_statements())
        assert there.consent_statements == statements > 2, "the demo's sign-ups and two more"
        assert (there.cannot_links, there.segments) == (1, 1)
        assert there.erased_records == again.erased_records > 0
        merges = [e for e in _audit(store) if e[1] == "merge"]
        assert len(merges) > 5, "the data set merges profiles, each recorded once"
        assert _comparable(_contents(embedded)) == _comparable(_contents(store))
        assert _comparable(_contents(back)) == _comparable(_contents(store))
    finally:
        embedded.close()
        back.close()


def test_a_store_migrated_into_the_store_under_test_holds_the_same(
    store: GraphStore, data: Any, tmp_path: Path
) -> None:
    embedded = SqliteStore(tmp_path / "source.db")
    try:
        _fill(embedded, data)

        report = Migration(embedded, store, Settings(), batch_size=50).run()

        assert report.matches
        assert _comparable(_contents(store)) == _comparable(_contents(embedded))
        with pytest.raises(Conflict, match="not empty"):
            Migration(embedded, store, Settings()).run()
        assert Migration(embedded, store, Settings()).run(into_nonempty=True).matches
    finally:
        embedded.close()


def test_the_verification_names_a_profile_that_differs(store: GraphStore, tmp_path: Path) -> None:
    service = IdentityService(store, Settings())
    ann = {
        "id": "o-1",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": "ann@acme.io"}],
        "attributes": {"city": "Leeds"},
    }
    service.ingest_observations([ann])
    other = SqliteStore(tmp_path / "other.db")
    try:
        IdentityService(other, Settings()).ingest_observations(
            [{**ann, "attributes": {"city": "Oslo"}}]
        )

        found = verify(store, other)

        assert (found.matches, found.different, found.missing) == (False, 1, 0)
        assert "other golden attributes" in found.examples[0]
    finally:
        other.close()


def _steward_world(store: GraphStore) -> str:
    """Ann and Bob fused through a kiosk, split apart by a steward; Bob's phone merged in by
    hand; a guessed merge of Ann's, undone; a new API key and a revoked one. Answers the new
    key's token."""
    identity = IdentityService(store, Settings())

    def seen(item_id: str, minute: int, *keys: str) -> dict[str, Any]:
        return {
            "id": item_id,
            "source": "shop",
            "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
            "identifiers": [
                dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys
            ],
        }

    identity.ingest_observations(
        [
            seen("o1", 1, "email:ann@acme.io", "cookie_id:c-1"),
            seen("o2", 2, "cookie_id:c-1", "device_id:kiosk-7"),
            seen("o3", 3, "device_id:kiosk-7", "email:bob@acme.io"),
            seen("o4", 4, "phone:+14155550101"),
            seen("o5", 5, "phone:+14155550199"),
        ]
    )
    stewards = StewardService(identity)
    fused = identity.lookup("email:ann@acme.io").id
    stewards.split_profile(
        fused,
        groups=[["email:ann@acme.io", "cookie_id:c-1"], ["device_id:kiosk-7", "email:bob@acme.io"]],
        reason="a kiosk joined two shoppers",
        actor="steward-key",
    )
    kept = stewards.merge_profiles(
        "email:bob@acme.io", "phone:+14155550101", reason="Bob's phone", actor="steward-key"
    )
    undone = stewards.merge_profiles(
        "email:ann@acme.io", "phone:+14155550199", reason="a guess", actor="steward-key"
    )
    stewards.undo_decision(undone.id, reason="wrong guess", actor="steward-key")
    issued = create_key(store, "ingest-bot", ["ingest"], actor="admin")
    create_key(store, "leaked", ["read"], actor="admin")
    revoke_key(store, "leaked", actor="admin")
    assert kept.kind == "manual_merge"
    return issued.token


def _decision_log(store: GraphStore) -> list[tuple[str, str, str | None, str]]:
    """Each decision's kind, reason, whether undone, and actor, in log order."""
    page = store.list_decisions(0, 100)
    return [
        (d.kind, d.reason, "undone" if d.undone_by is not None else None, d.actor)
        for d in page.decisions
    ]


def test_steward_decisions_keys_and_audit_are_carried_there_and_back(
    store: GraphStore, tmp_path: Path
) -> None:
    token = _steward_world(store)
    embedded = SqliteStore(tmp_path / "there.db")
    back = SqliteStore(tmp_path / "back.db")
    try:
        there = Migration(store, embedded, Settings(), batch_size=2).run()
        again = Migration(embedded, back, Settings(), batch_size=2).run()

        assert there.matches, there.verification.examples
        assert again.matches, again.verification.examples
        assert (there.steward_decisions, there.decisions_reapplied) == (4, 2)
        assert there.decisions_skipped == []
        for copy in (embedded, back):
            assert _decision_log(copy) == _decision_log(store)
            ann, bob = (
                copy.profile_ids_for_identifiers([k])[k]
                for k in ("email:ann@acme.io", "email:bob@acme.io")
            )
            assert ann != bob, "the split holds in the copy"
            assert copy.profile_ids_for_identifiers(["phone:+14155550101"]) == {
                "phone:+14155550101": bob
            }
            assert (
                copy.profile_ids_for_identifiers(["phone:+14155550199"])["phone:+14155550199"]
                != ann
            ), "the undone merge stays undone"
            key = copy.api_key_by_hash(hash_token(token))
            assert key is not None
            assert key.name == "ingest-bot"
            assert [(k.name, k.active) for k in copy.list_api_keys()] == [
                ("ingest-bot", True),
                ("leaked", False),
            ]
            entries = copy.list_audit(AuditFilter(first=200)).items
            assert sorted(e.id for e in entries) == sorted(
                e.id for e in store.list_audit(AuditFilter(first=200)).items
            )
        assert there.api_keys == 2
        assert there.audit_entries == len(store.list_audit(AuditFilter(first=200)).items)
        repeat = Migration(store, embedded, Settings(), batch_size=2).run(into_nonempty=True)
        assert repeat.matches
        assert (repeat.steward_decisions, repeat.api_keys) == (0, 0)
        assert _decision_log(embedded) == _decision_log(store)
    finally:
        embedded.close()
        back.close()


def test_a_decision_undone_after_migrating_is_undone_in_the_target(
    store: GraphStore, tmp_path: Path
) -> None:
    """The target's log names the constraints the target itself holds: an undo there removes
    them and restores the fused profile."""
    _steward_world(store)
    embedded = SqliteStore(tmp_path / "there.db")
    try:
        Migration(store, embedded, Settings(), batch_size=2).run()
        target = StewardService(IdentityService(embedded, Settings()))
        split = next(d for d in embedded.list_decisions(0, 100).decisions if d.kind == "split")
        merge = next(
            d
            for d in embedded.list_decisions(0, 100).decisions
            if d.kind == "manual_merge" and d.undone_by is None
        )

        target.undo_decision(merge.id, reason="not Bob's", actor="steward-key")
        target.undo_decision(split.id, reason="one shopper after all", actor="steward-key")

        assert embedded.list_cannot_links() == []
        assert (
            target.identity.lookup("email:ann@acme.io").id
            == target.identity.lookup("email:bob@acme.io").id
        )
    finally:
        embedded.close()


def _carried(store: GraphStore) -> list[Any]:
    return sorted(
        (p.id, sorted(i.identifier.key for i in p.identifiers), sorted(p.aliases), p.attributes)
        for p in IdentityService(store, Settings()).export_profiles()
    )


def test_a_decision_is_carried_to_where_the_source_made_it_in_the_log(
    store: GraphStore, tmp_path: Path
) -> None:
    """Live, the user ID was with CRM B when a record tied it to CRM A, so the limit held that
    link; the split came after. Applied after the whole log, with its constraint holding from
    the start, the user ID would have joined CRM A in the target."""
    identity = IdentityService(store, Settings())
    for n, keys in enumerate(
        (["crm_id:A1"], ["crm_id:B1", "user_id:U1"], ["user_id:U1", "crm_id:A1"]), start=1
    ):
        wire = [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys]
        at = f"2026-05-01T10:0{n}:00Z"
        identity.ingest_observations(
            [{"id": f"o{n}", "source": "crm", "observed_at": at, "identifiers": wire}]
        )
    StewardService(identity).split_profile(
        identity.lookup("crm_id:B1").id,
        cut_edges=[("crm_id:B1", "user_id:U1")],
        reason="shared login",
        actor="s",
    )
    embedded = SqliteStore(tmp_path / "there.db")
    try:
        report = Migration(store, embedded, Settings(), batch_size=2).run()

        assert report.matches, report.verification.examples
        assert (report.steward_decisions, report.decisions_reapplied) == (1, 1)
        assert _carried(embedded) == _carried(store)
        [split] = embedded.list_decisions(0, 10).decisions
        assert split.details["log_position"] == 3
        IdentityService(embedded, Settings()).rebuild()
        assert _carried(embedded) == _carried(store), "and a rebuild of the target keeps it"
    finally:
        embedded.close()
