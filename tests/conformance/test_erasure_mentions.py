"""An erasure reports the records of others whose free fields still mention the person's
identifier values, on every store: not those it removed or rewrote, and never the values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.errors import NotFound, StoreUnavailable
from datora_graph.domain.mentions import Mention, mentions_told
from datora_graph.erasure_service import ErasureService
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore


def ids(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"type": t, "value": v} for t, v in pairs]


@pytest.fixture
def identity(store: GraphStore, tmp_path: Any) -> IdentityService:
    """Ann (her e-mail and phone as she typed them); Bob, whose record names Ann as his
    referrer and whose gift went to Ann's phone as the shop wrote it; an event of Bob's that
    also named Ann's e-mail (rewritten by the erasure), and Ann's own purchase."""
    service = IdentityService(store, Settings(db=tmp_path / "unused.db"))
    ann = ids(("email", "Ann@Acme.io"), ("phone", "+1 415 555 0101"))
    bob = ids(("email", "bob@acme.io"))
    report = service.ingest_observations(
        [
            {
                "id": "o-ann",
                "source": "crm",
                "observed_at": "2026-05-01T09:00:00Z",
                "identifiers": ann,
                "attributes": {"first_name": "Ann", "backup_email": "ann@acme.io"},
            },
            {
                "id": "o-bob",
                "source": "crm",
                "observed_at": "2026-05-01T09:00:00Z",
                "identifiers": bob,
                "attributes": {"first_name": "Bob", "referrer_email": "ANN@acme.io"},
            },
        ]
    )
    assert report.accepted == 2
    events = service.ingest_events(
        [
            {
                "id": "e-ann",
                "type": "purchase",
                "source": "shop",
                "occurred_at": "2026-05-01T10:00:00Z",
                "identifiers": ann[:1],
                "properties": {"ship_to": "+1 415 555 0101"},
            },
            {
                "id": "e-bob",
                "type": "purchase",
                "source": "shop",
                "occurred_at": "2026-05-01T10:01:00Z",
                "identifiers": [*bob, *ann[:1]],
                "properties": {"note": "ann@acme.io paid"},
            },
            {
                "id": "e-gift",
                "type": "purchase",
                "source": "shop",
                "occurred_at": "2026-05-01T10:02:00Z",
                "identifiers": bob,
                "properties": {"gift_to": "+1 415 555 0101", "revenue": 5},
            },
        ]
    )
    assert events.accepted == 3
    return service


def test_reports_others_records_mentioning_the_erased_values(identity: IdentityService) -> None:
    report = ErasureService(identity).erase_profile(
        "email:ann@acme.io", reason="GDPR 1", actor="dpo"
    )

    assert report.counts.events_removed == 1
    assert report.counts.events_rewritten == 1
    assert report.counts.observations_removed == 1
    # The rewritten event of Bob lost Ann's e-mail from its identifiers, but its note still
    # mentions her: it is reported, as is the gift to her phone as the shop wrote it.
    assert report.mentions.items == (
        Mention("observation", "o-bob", ("referrer_email",)),
        Mention("event", "e-bob", ("note",)),
        Mention("event", "e-gift", ("gift_to",)),
    )
    assert report.mentions.total == 3
    assert "acme.io" not in repr(report.mentions)
    assert "415" not in repr(report.mentions)


def test_the_audit_entry_counts_them_without_the_values(identity: IdentityService) -> None:
    report = ErasureService(identity).erase_profile(
        "phone:+14155550101", reason="GDPR 2", actor="dpo"
    )

    (entry,) = identity.store.list_audit(AuditFilter(action="erasure")).items
    assert entry.id == report.audit_id
    assert entry.details["mentions_left"] == 3
    assert entry.details["mentions_search"] == "done"
    assert mentions_told(entry.details) == "3 records of others still mention an erased value"
    assert entry.details["identifiers"] == 2
    stored = json.dumps(dict(entry.details))
    assert "ann@" not in stored.lower()
    assert "415" not in stored


def test_nothing_to_report_when_nobody_mentions_them(identity: IdentityService) -> None:
    report = ErasureService(identity).erase_profile(
        "email:bob@acme.io", reason="GDPR 3", actor="dpo"
    )

    assert (report.mentions.items, report.mentions.total) == ((), 0)
    (entry,) = identity.store.list_audit(AuditFilter(action="erasure")).items
    assert entry.details["mentions_left"] == 0


def test_a_failed_look_up_says_the_erasure_is_done(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up runs after the erasure committed: a store lost then (a fault that cannot
    be caused here otherwise, hence the patch) must not read as a failed erasure, which a
    caller would retry into a NotFound."""

    def lost(*_: object) -> None:
        raise StoreUnavailable("the store went away")

    monkeypatch.setattr(identity.store, "records_mentioning", lost)

    with pytest.raises(StoreUnavailable) as failed:
        ErasureService(identity).erase_profile("email:ann@acme.io", reason="GDPR 4", actor="dpo")

    (entry,) = identity.store.list_audit(AuditFilter(action="erasure")).items
    assert f"is erased (audit entry {entry.id})" in str(failed.value)
    assert "the store went away" in str(failed.value)
    with pytest.raises(NotFound):
        identity.lookup("email:ann@acme.io")
    assert entry.details["mentions_search"] == "failed"
    assert "mentions_left" not in entry.details
    assert entry.details["identifiers"] == 2, "the counts of what went stay"


class Stopped(BaseException):
    """The process ending between the erasure's transaction and the count (killed, say)."""


def test_the_entry_says_the_search_is_pending_from_the_erasure_on(
    identity: IdentityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader of the audit log between the erasure and its count, or after a process that
    stopped between them, sees that the mentions were not counted, not a count of none."""
    seen: list[Mapping[str, object]] = []

    def stopped(*_: object, **__: object) -> None:
        (entry,) = identity.store.list_audit(AuditFilter(action="erasure")).items
        seen.append(entry.details)
        raise Stopped

    monkeypatch.setattr(identity.store, "records_mentioning", stopped)

    with pytest.raises(Stopped):
        ErasureService(identity).erase_profile("email:ann@acme.io", reason="GDPR 5", actor="dpo")

    (entry,) = identity.store.list_audit(AuditFilter(action="erasure")).items
    for details in (*seen, entry.details):
        assert details["mentions_search"] == "pending"
        assert "mentions_left" not in details
        assert details["identifiers"] == 2, "written in the erasure's own transaction"
    assert mentions_told(entry.details) == (
        "not counted: the search had not ended (one never ended if this stays)"
    )
