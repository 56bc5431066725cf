"""A redacted value does not survive in the steward decision log: the decisions whose snapshots
held the record's profile are scrubbed of it (golden attribute and candidate), undo never
writes it back, and a rebuild and a migration still give the live graph. An erasure's search
for mentions looks into decision snapshots too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.mentions import Mention
from datora_graph.domain.redaction_decisions import scrubbed_by
from datora_graph.domain.steward import Decision
from datora_graph.store.base import GraphStore
from datora_graph.store.steward_rows import decision_body

from .test_redaction import RedactionWorld

VALUE = "ann@acme.io"


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> RedactionWorld:
    return RedactionWorld(store, tmp_path)


def logged(world: RedactionWorld, decision_id: str) -> Decision:
    return world.store.get_decisions([decision_id])[decision_id]


def body(world: RedactionWorld, decision_id: str) -> str:
    decision = logged(world, decision_id)
    return decision_body(decision, decision.created)


def split_bob(world: RedactionWorld) -> Decision:
    """Bob's record naming Ann as his referrer, in the part of his profile a split keeps."""
    world.ingest("email:bob@acme.io", "cookie_id:k1", referrer_email=VALUE, city="Paris")
    world.ingest("cookie_id:k1", "device_id:d1", city="Lyon")
    decision: Decision = world.split("device_id:d1", ("cookie_id:k1", "device_id:d1"))
    assert VALUE in body(world, decision.id)
    return decision


def merge_bob(world: RedactionWorld) -> Decision:
    """A steward's merge of Bob's profile with a cookie's seen in Lyon."""
    world.ingest("cookie_id:k9", city="Lyon")
    bob, k9 = (world.identity.lookup(k).id for k in ("email:bob@acme.io", "cookie_id:k9"))
    return world.stewards.merge_profiles(bob, k9, reason="same person", actor="s")


def test_a_split_before_the_redaction_keeps_no_redacted_value(world: RedactionWorld) -> None:
    split = split_bob(world)

    report = world.redact("observation", "o1", "referrer_email")

    kept = logged(world, split.id)
    assert VALUE not in body(world, split.id)
    assert scrubbed_by(kept) == [report.audit_id]
    bob = kept.after.assignments["email:bob@acme.io"]
    after = kept.after.profile(bob)
    assert after is not None
    assert "referrer_email" not in after.attributes
    assert "referrer_email" not in after.candidates
    assert after.attributes["city"] == "Paris"
    [entry] = world.store.list_audit(AuditFilter(action="redaction")).items
    assert entry.details["decisions_scrubbed"] == 1
    world.agrees()


@pytest.mark.parametrize("other", ["Bobby", VALUE], ids=["another value", "the same value"])
def test_a_snapshot_keeps_what_another_record_gives(world: RedactionWorld, other: str) -> None:
    """Another value becomes the snapshot's golden one; the same value from another record of
    the source stays, one occurrence less, as it stays live."""
    world.ingest("email:bob@acme.io", "cookie_id:k1", nickname=other)
    world.ingest("cookie_id:k1", "device_id:d1", nickname=VALUE)
    split = world.split("device_id:d1", ("cookie_id:k1", "device_id:d1"))

    world.redact("observation", "o2", "nickname")

    kept = logged(world, split.id)
    before = kept.before.profile(kept.before.assignments["cookie_id:k1"])
    assert before is not None
    assert before.attributes["nickname"] == other
    candidates = before.candidates["nickname"]
    assert [(json.loads(c.value), c.occurrences) for c in candidates] == [(other, 1)]
    assert (VALUE in body(world, split.id)) == (other == VALUE)
    world.agrees()


def test_a_decision_made_before_the_record_was_logged_is_left_as_it_was(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io", "cookie_id:k1", nickname=VALUE)
    world.ingest("cookie_id:k1", "device_id:d1")
    split = world.split("device_id:d1", ("cookie_id:k1", "device_id:d1"))
    world.ingest("email:bob@acme.io", nickname=VALUE, city="Paris")

    redacting_o3_leaves(world, split.id)


def redacting_o3_leaves(world: RedactionWorld, decision_id: str) -> None:
    """Redact Bob's third record, logged after `decision_id` was made: it is left as it was."""
    was = body(world, decision_id)

    world.redact("observation", "o3", "nickname")

    assert body(world, decision_id) == was
    [entry] = world.store.list_audit(AuditFilter(action="redaction")).items
    assert entry.details["decisions_scrubbed"] == 0
    world.agrees()


def test_an_exact_undo_of_a_decision_made_before_the_record_was_logged_is_left_as_it_was(
    world: RedactionWorld,
) -> None:
    """An exact undo keeps the snapshots of the decision it undoes (the state it left, and
    the state before it), so what that decision never saw is not in them either: the value
    its snapshots hold came from o1, of the same source, and stays."""
    world.ingest("email:bob@acme.io", nickname=VALUE)
    merge = merge_bob(world)
    undo = world.stewards.undo_decision(merge.id, reason="wrong merge", actor="s")
    assert "merged_back" not in undo.details
    world.ingest("email:bob@acme.io", nickname=VALUE, city="Paris")

    redacting_o3_leaves(world, undo.id)
    assert VALUE in body(world, undo.id)


def test_an_exact_undo_of_a_decision_that_saw_the_record_is_scrubbed_with_it(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io", nickname=VALUE)
    merge = merge_bob(world)
    undo = world.stewards.undo_decision(merge.id, reason="wrong merge", actor="s")

    report = world.redact("observation", "o1", "nickname")

    assert [scrubbed_by(logged(world, d.id)) for d in (merge, undo)] == [[report.audit_id]] * 2
    assert VALUE not in body(world, undo.id)
    world.agrees()


def test_undoing_a_split_scrubbed_since_merges_back_without_the_value(
    world: RedactionWorld,
) -> None:
    split = split_bob(world)
    world.redact("observation", "o1", "referrer_email")

    undo = world.stewards.undo_decision(split.id, reason="wrong split", actor="s")

    assert undo.details.get("merged_back") is True
    assert VALUE not in json.dumps(world.attributes_of("email:bob@acme.io"))
    assert VALUE not in body(world, undo.id)
    world.agrees()


def test_undoing_a_merge_scrubbed_since_is_refused_naming_the_redaction(
    world: RedactionWorld,
) -> None:
    world.ingest("email:bob@acme.io", referrer_email=VALUE)
    merge = merge_bob(world)
    report = world.redact("observation", "o1", "referrer_email")

    with pytest.raises(InvalidInput, match=f"a redaction took values out.*{report.audit_id}"):
        world.stewards.undo_decision(merge.id, reason="wrong merge", actor="s")

    assert VALUE not in body(world, merge.id)
    assert VALUE not in json.dumps(world.attributes_of("email:bob@acme.io"))
    world.agrees()


def test_an_erasure_reports_decisions_whose_snapshots_mention_the_person(
    world: RedactionWorld,
) -> None:
    split = split_bob(world)
    world.ingest("email:ann@acme.io")
    merge = merge_bob(world)

    world.erase("email:ann@acme.io")

    found = world.store.records_mentioning([VALUE], 10, page_rows=1)
    assert found.items == (
        Mention("observation", "o1", ("referrer_email",)),
        Mention("decision", split.id, ("referrer_email",)),
        Mention("decision", merge.id, ("referrer_email",)),
    )
    assert found.total == 3
    assert world.store.records_mentioning(["nobody@acme.io"], 10, page_rows=1).total == 0
