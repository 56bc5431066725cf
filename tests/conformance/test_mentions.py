"""`records_mentioning` on every store: the observations and events of which a free field
(an attribute, a property) mentions a value, under the rule of domain/mentions.py; and
`set_audit_details`, which records their count on an erasure's entry."""

from __future__ import annotations

from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter, new_audit_entry
from datora_graph.domain.mentions import Mention
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore


def obs(item_id: str, minute: int, email: str, **attributes: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "crm",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [{"type": "email", "value": email}],
        "attributes": attributes,
    }


def event(item_id: str, minute: int, email: str, **properties: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "purchase",
        "occurred_at": f"2026-05-01T11:{minute:02d}:00Z",
        "source": "shop",
        "identifiers": [{"type": "email", "value": email}],
        "properties": properties,
    }


@pytest.fixture
def identity(store: GraphStore, tmp_path: Any) -> IdentityService:
    service = IdentityService(store, Settings(db=tmp_path / "unused.db"))
    observations = service.ingest_observations(
        [
            obs("o1", 1, "bob@acme.io", referrer_email="ANN@Acme.IO", first_name="Bob"),
            obs("o2", 2, "cy@acme.io", notes={"seen": ["with ann@acme.io"]}, plan="gold"),
            obs("o3", 3, "dee@acme.io", code="50%_off!", other="50X-off!"),
            obs("o4", 4, "eve@acme.io", first_name="Eve", nickname="annacme"),
            # A key is no value, and a value does not run on into the next field.
            obs("o5", 5, "fay@acme.io", **{"ann@acme.io": "friend", "x": "ann", "y": "@acme.io"}),
        ]
    )
    assert observations.accepted == 5
    events = service.ingest_events(
        [
            event("e2", 2, "bob@acme.io", gift_to="+14155550101", revenue=10),
            event("e1", 1, "cy@acme.io", note="for Ann@acme.io", to="+14155550101"),
            event("e3", 3, "dee@acme.io", revenue=14155550101),
        ]
    )
    assert events.accepted == 3
    return service


def test_finds_attributes_and_properties_ignoring_case(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["ann@acme.io", "+14155550101"], 10)

    assert page.items == (
        Mention("observation", "o1", ("referrer_email",)),
        Mention("observation", "o2", ("notes",)),
        Mention("event", "e1", ("note", "to")),
        Mention("event", "e2", ("gift_to",)),
    )
    assert page.total == 4


def test_a_number_is_matched_as_written(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["14155550101"], 10)

    assert [m.record_id for m in page.items] == ["e1", "e2", "e3"]


def test_a_short_value_is_not_looked_for(identity: IdentityService) -> None:
    assert identity.store.records_mentioning(["gold", "ann", "Bob"], 10).total == 0
    page = identity.store.records_mentioning(["ann", "annacme"], 10)
    assert page.items == (Mention("observation", "o4", ("nickname",)),)


def test_percent_and_underscore_are_taken_literally(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["50%_off"], 10)

    assert page.items == (Mention("observation", "o3", ("code",)),)
    assert identity.store.records_mentioning(["5_%_of"], 10).total == 0


def test_limit_lists_the_first_and_counts_all(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["ann@acme.io", "+14155550101"], 3)

    assert [m.record_id for m in page.items] == ["o1", "o2", "e1"]
    assert page.total == 4
    assert identity.store.records_mentioning([], 10).total == 0


def test_audit_details_are_replaced(store: GraphStore) -> None:
    entry = new_audit_entry("dpo", "erasure", "GDPR 1", before=("prf_1",), details={"a": 1})
    store.append_audit([entry])

    store.set_audit_details(entry.id, {"a": 1, "mentions_left": 3})
    store.set_audit_details("aud_unknown", {"x": 1})

    (kept,) = store.list_audit(AuditFilter()).items
    assert dict(kept.details) == {"a": 1, "mentions_left": 3}
    assert (kept.reason, kept.before) == ("GDPR 1", ("prf_1",))
