"""Erasure on every store: the person goes from the graph, the logs, the events, consent and
the decision log; the people they touched stay whole; a rebuild does not bring them back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.erasure import erased_fingerprint
from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.profiles import JourneyQuery, RejectionFilter, ReviewFilter
from datora_graph.domain.records import KEPT_JOINS, KEPT_QUARANTINES
from datora_graph.erasure_service import ErasureService
from datora_graph.migrate import Migration
from datora_graph.segment_service import SegmentService
from datora_graph.services import ERASED_REASON, IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.steward_rows import decision_body

ANN_EMAIL, ANN_CRM, ANN_COOKIE = "email:ann@acme.io", "crm_id:C-1", "cookie_id:c-ann"
BOB_EMAIL, BOB_CRM, BOB_COOKIE = "email:bob@acme.io", "crm_id:C-2", "cookie_id:c-bob"
ANN_KEYS = (ANN_EMAIL, ANN_CRM, ANN_COOKIE)
BOB_KEYS = (BOB_EMAIL, BOB_CRM, BOB_COOKIE)


def ids(*keys: str) -> list[dict[str, str]]:
    return [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys]


def obs(item_id: str, minute: int, *keys: str, **attributes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "source": "crm",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": ids(*keys),
    }
    if attributes:
        item["attributes"] = attributes
    return item


def event(item_id: str, minute: int, *keys: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "purchase",
        "occurred_at": f"2026-05-01T11:{minute:02d}:00Z",
        "source": "shop",
        "identifiers": ids(*keys),
        "properties": {"revenue": 10},
    }


@pytest.fixture
def identity(store: GraphStore, tmp_path: Any) -> IdentityService:
    return IdentityService(store, Settings(db=tmp_path / "unused.db"))


def world(identity: IdentityService) -> dict[str, Any]:
    """Ann (one alias, a consent, two events of her own) and Bob (a consent, an event that
    also names Ann's email); a record joining Ann's CRM number to Bob's cookie, held; its
    review item rejected by a steward."""
    report = identity.ingest_observations(
        [
            obs("o1", 1, ANN_CRM, ANN_EMAIL, first_name="Ann"),
            obs("o2", 2, ANN_COOKIE),
            obs("o3", 3, ANN_EMAIL, ANN_COOKIE),
            obs("o4", 4, BOB_EMAIL, BOB_COOKIE, first_name="Bob"),
            obs("o5", 5, BOB_CRM, BOB_EMAIL),
            obs("o6", 6, ANN_CRM, BOB_COOKIE, first_name="Ann"),
            {"id": "bad-ann", "identifiers": ids("email:ANN@acme.io")},
            {"id": "bad-bob", "identifiers": ids(BOB_EMAIL)},
        ]
    )
    assert (report.accepted, report.rejected) == (6, 2)
    identity.ingest_events(
        [
            event("e1", 1, ANN_EMAIL),
            event("e2", 2, ANN_COOKIE, BOB_EMAIL),
            event("e3", 3, BOB_COOKIE, ANN_EMAIL),
            event("e4", 4, BOB_EMAIL),
        ]
    )
    segments = SegmentService(identity.store, identity.settings)
    segments.record_consent(
        [
            {
                "identifier": ids(k)[0],
                "purpose": "email_marketing",
                "status": "granted",
                "source": "web",
            }
            for k in (ANN_EMAIL, BOB_EMAIL)
        ]
    )
    [item] = identity.store.list_review_items(ReviewFilter()).items
    assert {item.a, item.b} == {ANN_CRM, BOB_COOKIE}
    stewards = StewardService(identity)
    decision = stewards.resolve_review_item(item.id, False, reason="two people", actor="s")
    ann, bob = identity.lookup(ANN_EMAIL), identity.lookup(BOB_EMAIL)
    assert ann.id != bob.id
    assert ann.aliases, "o3 merged two of Ann's profiles"
    return {"ann": ann, "bob": bob, "decision": decision.id}


def test_erasure_removes_the_person_everywhere(identity: IdentityService) -> None:
    before = world(identity)
    ann, bob = before["ann"], before["bob"]
    store = identity.store
    bob_journey = [e.id for e in store.journey(bob.id, JourneyQuery()).events]

    report = ErasureService(identity).erase_profile(
        "email:Ann@Acme.io", reason="GDPR request 114", actor="dpo"
    )

    assert report.profile_id == ann.id
    assert set(report.aliases) == set(ann.aliases)
    counts = report.counts
    assert counts.identifiers == 3
    assert (counts.observations_removed, counts.observations_rewritten) == (3, 1)
    assert (counts.events_removed, counts.events_rewritten) == (2, 1)
    assert (counts.consent_statements, counts.review_items, counts.decisions) == (1, 1, 1)
    assert counts.rejections == 1
    rejected = [item.item_id for _, item in store.list_rejections(RejectionFilter()).items]
    assert rejected == ["bad-bob"]
    for key in ANN_KEYS:
        with pytest.raises(NotFound):
            identity.lookup(key)
    assert store.resolve_profile_ids([ann.id, *ann.aliases]) == {}
    assert store.profile_ids_for_identifiers(ANN_KEYS) == {}
    log = [json.loads(payload) for _, payload in store.read_log(0, 100)]
    assert [item["id"] for item in log] == ["o4", "o5", "o6"]
    assert log[2] == {
        "id": "o6",
        "source": "crm",
        "observed_at": "2026-05-01T10:06:00Z",
        "identifiers": ids(BOB_COOKIE),
        KEPT_QUARANTINES: ids(BOB_COOKIE),
        KEPT_JOINS: ids(BOB_COOKIE),
    }, "Ann's CRM number and the attributes it anchored are gone; Bob's cookie stays shared"
    assert store.known_observation_ids(["o1", "o6"]) == {"o6"}
    assert store.logged_observations_with(ANN_KEYS) == [], "the log index forgets them"
    assert [json.loads(p)["id"] for _, p in store.logged_observations_with([BOB_COOKIE])] == [
        "o4",
        "o6",
    ]
    assert store.known_event_ids(["e1", "e2", "e3", "e4"]) == {"e3", "e4"}
    journey = store.journey(bob.id, JourneyQuery()).events
    assert [e.id for e in journey] == ["e3", "e4"] == [i for i in bob_journey if i != "e2"]
    assert [i.key for i in journey[0].identifiers] == [BOB_COOKIE]
    assert store.list_review_items(ReviewFilter(status=None)).items == []
    assert store.consent_of_identifiers([ANN_EMAIL, BOB_EMAIL]).keys() == {BOB_EMAIL}
    assert store.get_decisions([before["decision"]]) == {}
    assert store.list_cannot_links() == []
    assert store.merge_history([ann.id]) in ({}, {ann.id: []})
    assert store.trait_facts([ann.id]) in ({}, {ann.id: None})
    [entry] = [e for e in store.list_audit(AuditFilter()).items if e.action == "erasure"]
    assert (entry.actor, entry.reason, entry.subject) == ("dpo", "GDPR request 114", ann.id)
    assert set(entry.before) == {ann.id, *ann.aliases}
    assert entry.id == report.audit_id
    told = {**counts.to_dict(), "mentions_search": "done", "mentions_left": report.mentions.total}
    assert entry.details == told, "every count the privacy officer was told"
    [merge] = store.list_audit(AuditFilter(action="merge")).items
    named = f"erased observation {erased_fingerprint('observation', 'o3')}"
    assert (merge.subject, merge.details["observation"]) == (named, named), "o3 joined Ann's two"
    assert not any("ann" in json.dumps(e.details).lower() for e in [entry])
    kept = identity.lookup(BOB_EMAIL)
    assert kept.id == bob.id
    assert sorted(i.identifier.key for i in kept.identifiers) == sorted(BOB_KEYS)
    stats = store.stats()
    assert (stats.identifiers, stats.observations, stats.events) == (3, 3, 2)


def test_a_rebuild_after_an_erasure_does_not_bring_the_person_back(
    identity: IdentityService,
) -> None:
    world(identity)
    ErasureService(identity).erase_profile(ANN_CRM, reason="GDPR request 115", actor="dpo")
    bob = identity.lookup(BOB_EMAIL)

    identity.rebuild()

    assert identity.store.profile_ids_for_identifiers(ANN_KEYS) == {}
    again = identity.lookup(BOB_EMAIL)
    assert sorted(i.identifier.key for i in again.identifiers) == sorted(BOB_KEYS)
    assert again.id == bob.id


def test_records_sent_again_after_an_erasure_do_not_bring_the_person_back(
    identity: IdentityService, store_opener: Any
) -> None:
    world(identity)
    ErasureService(identity).erase_profile(ANN_EMAIL, reason="GDPR request 116", actor="dpo")
    store = identity.store
    stats = store.stats()

    again = identity.ingest_observations(
        [obs("o1", 1, ANN_CRM, ANN_EMAIL, first_name="Ann"), obs("o2", 2, ANN_COOKIE)]
    )
    events = identity.ingest_events([event("e1", 1, ANN_EMAIL), event("e2", 2, ANN_COOKIE)])

    assert [(r.id, r.status, r.field, r.reason) for r in again.results] == [
        ("o1", "duplicate", "id", ERASED_REASON),
        ("o2", "duplicate", "id", ERASED_REASON),
    ]
    assert [(r.id, r.status, r.reason) for r in events.results] == [
        ("e1", "duplicate", ERASED_REASON),
        ("e2", "duplicate", ERASED_REASON),
    ]
    assert store.profile_ids_for_identifiers(ANN_KEYS) == {}
    assert store.stats() == stats
    plain = identity.ingest_observations([obs("o4", 4, BOB_EMAIL)])
    assert plain.results[0].reason == "already received; nothing changed", "o4 was never erased"

    assert store.erased_ids("observation", ["o1", "o2", "o3", "o4", "o6"]) == {"o1", "o2", "o3"}
    assert store.erased_ids("event", ["e1", "e2", "e3", "o1"]) == {"e1", "e2"}
    assert store.erased_ids("observation", ["e1"]) == set(), "kinds are told apart"
    kept = [r for batch in store.iter_erased_records(batch_size=2) for r in batch]
    assert len(kept) == 5
    assert sorted(r.kind for r in kept) == ["event"] * 2 + ["observation"] * 3
    assert [r.fingerprint for r in kept] == sorted(r.fingerprint for r in kept)
    audit_id = next(e.id for e in store.list_audit(AuditFilter()).items if e.action == "erasure")
    assert {r.audit_id for r in kept} == {audit_id}
    assert not any(r.fingerprint in {"o1", "o2", "o3", "e1", "e2"} for r in kept)

    identity.rebuild()
    assert store.erased_ids("observation", ["o1"]) == {"o1"}, "a rebuild keeps the fingerprints"
    reopened = store_opener.reopen(store)
    assert reopened.erased_ids("event", ["e2"]) == {"e2"}, "and so does closing the store"


def test_a_log_position_is_never_given_twice_so_a_later_erasure_finds_its_records(
    identity: IdentityService, store_opener: Any
) -> None:
    """Once an erasure deleted the newest observations, the next ones must not take their
    positions: the log index has passed them, and a later erasure would miss those records."""
    eraser = ErasureService(identity)
    identity.ingest_observations([obs("o1", 1, BOB_EMAIL), obs("o2", 2, ANN_CRM)])
    eraser.erase_profile(ANN_CRM, reason="GDPR request 117", actor="dpo")
    store = store_opener.reopen(identity.store)
    identity = IdentityService(store, identity.settings)

    identity.ingest_observations([obs("o3", 3, ANN_EMAIL, ANN_COOKIE, first_name="Ann")])
    assert store.last_sequence() == 3
    erased = ErasureService(identity).erase_profile(
        ANN_EMAIL, reason="GDPR request 118", actor="dpo"
    )

    assert erased.counts.observations_removed == 1
    assert [json.loads(payload)["id"] for _, payload in store.read_log(0, 10)] == ["o1"]
    identity.rebuild()
    assert store.profile_ids_for_identifiers([ANN_EMAIL, ANN_COOKIE]) == {}


def test_a_split_of_someone_else_from_the_person_keeps_its_part_after_an_erasure(
    identity: IdentityService,
) -> None:
    """The split is redacted, not deleted: Bob's part keeps the ID the split gave it through
    a rebuild, although Ann's record, which founded the profile, is gone."""
    identity.ingest_observations(
        [
            obs("o1", 1, ANN_EMAIL, ANN_CRM, first_name="Ann"),
            obs("o2", 2, ANN_EMAIL, BOB_COOKIE),
            obs("o3", 3, BOB_COOKIE, BOB_EMAIL, city="Oslo"),
        ]
    )
    stewards = StewardService(identity)
    together = identity.lookup(ANN_EMAIL)
    split = stewards.split_profile(
        together.id, cut_edges=[(ANN_EMAIL, BOB_COOKIE)], reason="two people", actor="s"
    )
    bob = identity.lookup(BOB_EMAIL)
    assert bob.id != together.id, "Ann's part kept the profile's ID"

    report = ErasureService(identity).erase_profile(ANN_CRM, reason="GDPR 119", actor="dpo")

    assert (report.counts.decisions, report.counts.decisions_redacted) == (0, 1)
    kept = identity.store.get_decisions([split.id])[split.id]
    assert kept.details["parts"] == {bob.id: [BOB_COOKIE, BOB_EMAIL]}
    assert kept.details["redacted_by"] == report.audit_id
    body = decision_body(kept, kept.created)
    assert not [text for text in (*ANN_KEYS, "ann@acme.io", '"Ann"') if text in body]
    with pytest.raises(InvalidInput) as undo:
        stewards.undo_decision(split.id, reason="oops", actor="s")
    assert report.audit_id in undo.value.reason
    rebuilt = identity.rebuild()
    assert (rebuilt.decisions_reapplied, rebuilt.decisions_skipped) == (1, ())
    again = identity.lookup(BOB_EMAIL)
    assert again.id == bob.id
    assert sorted(i.identifier.key for i in again.identifiers) == [BOB_COOKIE, BOB_EMAIL]
    assert identity.store.profile_ids_for_identifiers(ANN_KEYS) == {}


def test_a_steward_reason_quoting_the_person_is_replaced_in_the_decision_and_the_audit_log(
    identity: IdentityService,
) -> None:
    identity.ingest_observations(
        [obs("o1", 1, ANN_EMAIL, BOB_COOKIE), obs("o2", 2, BOB_COOKIE, BOB_EMAIL)]
    )
    stewards = StewardService(identity)
    fused = identity.lookup(ANN_EMAIL).id
    split = stewards.split_profile(
        fused, cut_edges=[(ANN_EMAIL, BOB_COOKIE)], reason="ANN@acme.io is not Bob", actor="s"
    )
    other = stewards.split_profile(
        identity.lookup(BOB_EMAIL).id,
        cut_edges=[(BOB_COOKIE, BOB_EMAIL)],
        reason="two browsers",
        actor="s",
    )

    ErasureService(identity).erase_profile(ANN_EMAIL, reason="GDPR 122", actor="dpo")

    store = identity.store
    kept = store.get_decisions([split.id, other.id])
    assert "ann@acme.io" not in kept[split.id].reason.lower()
    assert kept[other.id].reason == "two browsers"
    reasons = {e.subject: e.reason for e in store.list_audit(AuditFilter(first=100)).items}
    assert reasons[split.id] == kept[split.id].reason
    assert reasons[other.id] == "two browsers"


def test_a_quarantine_the_person_caused_holds_in_a_rebuild_and_a_migration(
    identity: IdentityService, tmp_path: Any
) -> None:
    """Bob's sign-up with the family email made it shared; erased, his record keeps only the
    family email and no name, yet a replay must keep the email quarantined, or it joins the
    cookie of a later record to Ann as it never did live."""
    family = "email:family@acme.io"
    identity.ingest_observations(
        [
            obs("o1", 1, family, ANN_COOKIE, first_name="Ann"),
            obs("o2", 2, family, BOB_COOKIE, first_name="Bob"),
            obs("o3", 3, family, "cookie_id:c-cy"),
        ]
    )
    store = identity.store
    assert store.load_snapshot([family]).identifier_guards[family].quarantined
    live = store.profile_ids_for_identifiers([family, ANN_COOKIE, "cookie_id:c-cy"])
    assert live["cookie_id:c-cy"] != live[family] == live[ANN_COOKIE]

    ErasureService(identity).erase_profile(BOB_COOKIE, reason="GDPR 120", actor="dpo")

    guard = store.load_snapshot([family]).identifier_guards[family]
    assert guard.quarantined
    assert "Bob" not in guard.reason
    [cy_item] = store.list_review_items(ReviewFilter(status=None)).items
    assert (cy_item.a, cy_item.b) == ("cookie_id:c-cy", family)
    assert "Bob" not in cy_item.reason + cy_item.suggested_action
    assert guard.reason in cy_item.reason
    logged = {json.loads(p)["id"]: json.loads(p) for _, p in store.read_log(0, 10)}
    assert logged["o2"]["identifiers"] == ids(family)
    assert "attributes" not in logged["o2"]
    identity.rebuild()
    rebuilt = store.profile_ids_for_identifiers([family, ANN_COOKIE, "cookie_id:c-cy"])
    assert rebuilt == live
    [again] = store.list_review_items(ReviewFilter(status=None)).items
    assert (again.reason, again.suggested_action) == (cy_item.reason, cy_item.suggested_action)
    assert store.load_snapshot([family]).identifier_guards[family].quarantined
    target = SqliteStore(tmp_path / "migrated.db")
    try:
        assert Migration(store, target, identity.settings, batch_size=2).run().matches
        moved = target.profile_ids_for_identifiers([family, ANN_COOKIE, "cookie_id:c-cy"])
        assert moved == live
    finally:
        target.close()


def test_an_erasure_needs_a_known_profile_and_a_reason(identity: IdentityService) -> None:
    world(identity)
    erasures = ErasureService(identity)

    with pytest.raises(NotFound):
        erasures.erase_profile("email:nobody@acme.io", reason="x", actor="dpo")
    with pytest.raises(NotFound):
        erasures.erase_profile("prf_nobody", reason="x", actor="dpo")
    with pytest.raises(InvalidInput) as blank:
        erasures.erase_profile(ANN_EMAIL, reason="  ", actor="dpo")
    assert blank.value.field == "reason"
    with pytest.raises(InvalidInput) as quoting:
        erasures.erase_profile(ANN_EMAIL, reason="GDPR 1 from ANN@acme.io", actor="dpo")
    assert quoting.value.field == "reason"
    assert "quotes one of the person's identifiers" in quoting.value.reason
    identity.ingest_observations([obs("o9", 9, "email:test@test.com", BOB_COOKIE)])
    with pytest.raises(InvalidInput) as junk:
        erasures.erase_profile("email:test@test.com", reason="x", actor="dpo")
    assert (junk.value.field, "junk value" in junk.value.reason) == ("profile", True)
    assert identity.lookup(ANN_EMAIL).id
