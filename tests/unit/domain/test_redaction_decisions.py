"""Scrubbing a decision's snapshots touches only the profile holding the redacted record's
anchor, and only the record's share of the value."""

from __future__ import annotations

from datetime import UTC, datetime

from datora_graph.domain.redaction_decisions import RedactedValues, scrub_decision, scrubbed_by
from datora_graph.domain.steward import Decision, GraphSlice, ProfileRecord
from datora_graph.domain.survivorship import AttributeCandidate, SurvivorshipRules

AT = datetime(2026, 5, 1, tzinfo=UTC)
REDACTED = RedactedValues.of("email:bob@acme.io", "crm", {"ref": "ann@acme.io"})


def profile(pid: str, *candidates: AttributeCandidate) -> ProfileRecord:
    golden = SurvivorshipRules().golden({"ref": list(candidates)}) if candidates else {}
    pool = {"ref": list(candidates)} if candidates else {}
    return ProfileRecord(pid, 1, {"email": 1}, 1, AT, AT, False, golden, pool)


def candidate(value: str, source: str, seen: str, occurrences: int = 1) -> AttributeCandidate:
    return AttributeCandidate(f'"{value}"', source, occurrences, seen, seen)


def split(*profiles: ProfileRecord, holder: str = "p1") -> Decision:
    snapshot = GraphSlice(profiles, {"email:bob@acme.io": holder, "email:eve@acme.io": "p2"})
    return Decision("dec_1", "split", "s", "r", AT, ("p1",), ("p1", "p2"), snapshot, snapshot)


def test_the_records_candidate_goes_and_the_golden_value_is_chosen_again() -> None:
    bob = profile(
        "p1", candidate("bob@x.io", "web", "2026-01"), candidate("ann@acme.io", "crm", "2026-02")
    )
    eve = profile("p2", candidate("ann@acme.io", "crm", "2026-03"))

    kept = scrub_decision(split(bob, eve), REDACTED, "aud_1", SurvivorshipRules())

    [bob_kept, eve_kept] = kept.after.profiles
    assert bob_kept.attributes == {"ref": "bob@x.io"}
    assert [c.value for c in bob_kept.candidates["ref"]] == ['"bob@x.io"']
    assert eve_kept == eve  # not where the record's attributes went
    assert scrubbed_by(kept) == ["aud_1"]


def test_another_records_occurrence_of_the_value_stays() -> None:
    bob = profile("p1", candidate("ann@acme.io", "crm", "2026-02", occurrences=2))

    kept = scrub_decision(split(bob), REDACTED, "aud_1", SurvivorshipRules())

    [bob_kept] = kept.before.profiles
    assert bob_kept.attributes == {"ref": "ann@acme.io"}
    assert [c.occurrences for c in bob_kept.candidates["ref"]] == [1]


def test_a_decision_whose_snapshots_never_held_the_value_is_returned_as_it_was() -> None:
    decision = split(profile("p1", candidate("ann@acme.io", "web", "2026-02")))

    assert scrub_decision(decision, REDACTED, "aud_1", SurvivorshipRules()) is decision
    assert scrubbed_by(decision) == []
