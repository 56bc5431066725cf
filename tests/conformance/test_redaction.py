"""A redaction takes fields out of one logged record, and what was derived from the record
follows exactly: the live graph after it (golden attributes and their candidates, traits,
segment conditions on event properties) is what a rebuild and a migration give from the
redacted log. The audit keeps the record and the field names, never the values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.survivorship import candidates_to_json
from datora_graph.redaction_service import RedactionReport, RedactionService
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

from .replay_world import World
from .segment_world import AS_OF, members


class RedactionWorld(World):
    """`World`, comparing golden attributes, candidates, traits and events too."""

    def state(self, store: GraphStore | None = None) -> dict[str, Any]:
        store = store or self.store
        found = super().state(store)
        ids = sorted(found["profiles"])
        rows = store.profile_slice(ids).profiles
        found["attributes"] = {p.id: dict(p.attributes) for p in rows}
        found["candidates"] = {p.id: candidates_to_json(p.candidates) for p in rows}
        found["traits"] = store.trait_facts(ids)
        found["events"] = {e.id: dict(e.properties) for b in store.iter_events() for e in b}
        return found

    def event(self, event_id: str, key: str, **properties: object) -> None:
        item = {
            "id": event_id,
            "type": "purchase",
            "occurred_at": "2026-05-02T10:00:00Z",
            "source": "shop",
            "identifiers": [dict(zip(("type", "value"), key.split(":", 1), strict=True))],
            "properties": properties,
        }
        assert self.identity.ingest_events([item]).accepted == 1

    def redact(self, kind: str, record_id: str, *fields: str, reason: str = "r") -> Any:
        service = RedactionService(self.identity)
        return service.redact(kind, record_id, fields, reason=reason, actor="dpo")

    def attributes_of(self, reference: str) -> dict[str, Any]:
        return dict(self.identity.lookup(reference).attributes)

    def agrees(self) -> None:
        live = self.state()
        assert self.migrated() == live
        assert self.rebuilt() == live


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> RedactionWorld:
    return RedactionWorld(store, tmp_path)


def test_the_only_record_carrying_an_attribute_takes_it_out_of_the_profile(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io", "cookie_id:k1", referrer_email="ann@acme.io", city="Paris")
    world.ingest("cookie_id:k1", city="Lyon")

    report = world.redact("observation", "o1", "referrer_email")

    assert report == RedactionReport(
        "observation",
        "o1",
        ("referrer_email",),
        report.audit_id,
        (world.identity.lookup("email:bob@acme.io").id,),
    )
    assert "referrer_email" not in world.attributes_of("email:bob@acme.io")
    _seq, payload = world.store.logged_observation("o1") or (0, "")
    assert "ann@acme.io" not in payload
    assert json.loads(payload)["attributes"] == {"city": "Paris"}
    world.agrees()


def test_of_two_records_the_other_value_wins_once_one_is_redacted(world: RedactionWorld) -> None:
    world.ingest("email:bob@acme.io", nickname="Bobby")
    world.ingest("email:bob@acme.io", "cookie_id:k1", nickname="ann@acme.io")
    assert world.attributes_of("email:bob@acme.io")["nickname"] == "ann@acme.io"

    world.redact("observation", "o2", "nickname")

    assert world.attributes_of("email:bob@acme.io")["nickname"] == "Bobby"
    world.agrees()


def test_a_record_left_without_attributes_is_logged_without_any(world: RedactionWorld) -> None:
    world.ingest("email:bob@acme.io", referrer_email="ann@acme.io")

    world.redact("observation", "o1", "referrer_email")

    _, payload = world.store.logged_observation("o1") or (0, "")
    assert "attributes" not in json.loads(payload)
    assert world.attributes_of("email:bob@acme.io") == {}
    world.agrees()


def test_a_redaction_in_a_part_of_a_split_profile_recomputes_that_part(
    world: RedactionWorld,
) -> None:
    world.ingest("email:e0@x.io", "cookie_id:k1", nickname="Ann")
    world.ingest("cookie_id:k1", "device_id:d1", nickname="bob@acme.io", city="Paris")
    world.ingest("device_id:d1", city="Lyon")
    world.split("device_id:d1", ("cookie_id:k1", "device_id:d1"))

    world.redact("observation", "o2", "nickname", "city")

    assert "bob@acme.io" not in json.dumps(world.attributes_of("cookie_id:k1"))
    assert "bob@acme.io" not in json.dumps(world.attributes_of("device_id:d1"))
    world.agrees()


def test_an_event_loses_its_revenue_and_the_traits_follow(world: RedactionWorld) -> None:
    world.ingest("email:bob@acme.io", "cookie_id:k1")
    world.event("e1", "email:bob@acme.io", revenue=30, gift_to="+14155550101")
    world.event("e2", "cookie_id:k1", revenue=12.5)
    profile = world.identity.lookup("email:bob@acme.io").id
    before = world.store.trait_facts([profile])[profile].activity
    assert before is not None
    assert before.revenue_cents == 4250

    report = world.redact("event", "e1", "revenue", "gift_to")

    assert report.profiles == ()
    after = world.store.trait_facts([profile])[profile].activity
    assert after is not None
    assert (after.revenue_cents, after.orders) == (1250, 2)
    assert world.store.event_properties("e1") == "{}"
    world.agrees()


def test_an_event_property_other_than_revenue_leaves_the_activity_as_it_was(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io")
    world.event("e1", "email:bob@acme.io", revenue=30, gift_to="+14155550101")

    world.redact("event", "e1", "gift_to")

    assert json.loads(world.store.event_properties("e1") or "") == {"revenue": 30}
    world.agrees()


def test_the_audit_entry_names_the_record_and_fields_never_the_values(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io", referrer_email="ann@acme.io")

    report = world.redact("observation", "o1", "referrer_email", reason="request 2026-114")

    entries = world.store.list_audit(AuditFilter(action="redaction")).items
    assert [e.id for e in entries] == [report.audit_id]
    entry = entries[0]
    assert (entry.actor, entry.reason, entry.subject) == ("dpo", "request 2026-114", "o1")
    assert dict(entry.details) == {
        "kind": "observation",
        "record_id": "o1",
        "fields": ["referrer_email"],
        "decisions_scrubbed": 0,
    }
    assert entry.before == entry.after == report.profiles
    assert "ann@acme.io" not in json.dumps([entry.reason, dict(entry.details)])


@pytest.mark.parametrize(
    ("kind", "record_id", "fields", "reason", "error", "said"),
    [
        ("observation", "o9", ["city"], "r", NotFound, "no observation o9 is logged"),
        ("event", "e9", ["revenue"], "r", NotFound, "no event e9 is stored"),
        ("observation", "o1", ["town"], "r", InvalidInput, "fields[0]: observation o1 has no"),
        ("observation", "o1", ["city", "town"], "r", InvalidInput, "fields[1]: observation o1 has"),
        ("event", "e1", ["colour"], "r", InvalidInput, "fields[0]: event e1 has no property"),
        ("observation", "o1", [], "r", InvalidInput, "fields: name at least one"),
        ("observation", "o1", ["first_name"], "r", InvalidInput, "fields[0]: 'first_name'"),
        ("observation", "o1", ["city"], " ", InvalidInput, "reason: is required"),
        ("observation", "o1", ["referrer_email"], "ANN@acme.io", InvalidInput, "reason: quotes"),
        ("note", "o1", ["city"], "r", InvalidInput, "kind: 'note' is not one of"),
    ],
)
def test_a_redaction_that_cannot_be_made_says_why_and_changes_nothing(
    world: RedactionWorld,
    kind: str,
    record_id: str,
    fields: list[str],
    reason: str,
    error: type[Exception],
    said: str,
) -> None:
    world.ingest("email:bob@acme.io", first_name="Bob", city="Paris", referrer_email="ann@acme.io")
    world.event("e1", "email:bob@acme.io", revenue=30)
    live = world.state()

    with pytest.raises(error, match=f"^{re.escape(said)}"):
        world.redact(kind, record_id, *fields, reason=reason)

    assert world.state() == live
    assert world.store.list_audit(AuditFilter(action="redaction")).items == []


def test_a_record_an_erasure_removed_is_said_to_be_erased(world: RedactionWorld) -> None:
    world.ingest("email:ann@acme.io", city="Paris")
    world.erase("email:ann@acme.io")

    with pytest.raises(NotFound, match="observation o1 was erased at a privacy request"):
        world.redact("observation", "o1", "city")


def test_a_segment_condition_on_an_event_property_reads_what_is_left(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io")
    world.event("e1", "email:bob@acme.io", revenue=30, gift_to="+14155550101")
    gifts = {"event": {"type": "purchase", "where": {"gift_to": {"exists": True}}}}
    paid = {"event": {"type": "purchase", "where": {"revenue": {"gte": 30}}}}
    bob = world.identity.lookup("email:bob@acme.io").id
    assert members(world.store, gifts, AS_OF) == members(world.store, paid, AS_OF) == {bob}

    world.redact("event", "e1", "gift_to", "revenue")

    assert members(world.store, gifts, AS_OF) == members(world.store, paid, AS_OF) == set()


def test_records_ingested_after_a_redaction_fold_in_as_in_a_replay(world: RedactionWorld) -> None:
    world.ingest("email:bob@acme.io", "cookie_id:k1", nickname="ann@acme.io", city="Paris")
    world.ingest("cookie_id:k2", "device_id:d2", nickname="Bobby")
    world.stewards.merge_profiles("cookie_id:k1", "cookie_id:k2", reason="same", actor="s")

    world.redact("observation", "o1", "nickname")
    world.ingest("cookie_id:k1", city="Lyon")

    assert world.attributes_of("cookie_id:k2")["nickname"] == "Bobby"
    world.agrees()


def test_a_record_left_without_attributes_still_dates_its_profiles_last_update(
    world: RedactionWorld,
) -> None:
    """Bob's last record carried only a nickname: live, its attributes made it the profile's
    latest update. Redacted, it carries none, and a replay would not touch the profile for it
    (the engine dates a profile by merges and by attributes folded in); the redaction marks
    the record, so a replay dates the profile by it still, as live."""
    world.ingest("email:bob@acme.io", "cookie_id:k1", nickname="V")
    world.ingest("cookie_id:k1", "device_id:d1")
    world.ingest("email:bob@acme.io", nickname="W")
    before = world.identity.lookup("email:bob@acme.io").updated_at

    world.redact("observation", "o3", "nickname")

    assert world.attributes_of("email:bob@acme.io") == {"nickname": "V"}
    assert world.identity.lookup("email:bob@acme.io").updated_at == before
    world.agrees()
    assert world.identity.lookup("email:bob@acme.io").updated_at == before


def test_a_store_no_steward_ever_wrote_to_takes_a_redaction(store: GraphStore) -> None:
    """A redaction also scrubs the decision log; in a store where no steward decision was
    ever made (on SQLite: its tables not made yet) and whose record's attributes were folded
    nowhere (its one identifier is junk), there is nothing to scrub or fold again, and the
    redaction is made all the same (found by the replay hunt)."""
    identity = IdentityService(store, Settings())
    junk = {"type": "email", "value": "test@test.com"}
    sent = {"id": "o1", "source": "crm", "observed_at": "2026-05-01T10:00:00Z"}
    identity.ingest_observations([{**sent, "identifiers": [junk], "attributes": {"city": "Oslo"}}])

    report = RedactionService(identity).redact(
        "observation", "o1", ["city"], reason="r", actor="dpo"
    )

    assert (report.fields, report.profiles) == (("city",), ())
    [(_, payload)] = store.read_log(0, 10)
    assert "city" not in json.loads(payload).get("attributes", {})
