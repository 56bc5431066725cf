"""An access request's answer, whatever the records and steward decisions before it, holds
exactly the person's records: every accepted observation and event that carried one of the
profile's own (not quarantined) identifiers, every rejected record that named one, and none
other; and it is audited with those counts.

The records are those of the erasure property (test_erasure_properties.py): people seen
through several identifiers each in varied layouts, rejected records, a household device
shared between people, a junk e-mail, a second CRM ID held apart, events, consent, then a
steward's merges, splits and answered review items. What each record carried is known from
how it was made, so the expected answer is worked out here without the service.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datora_graph.domain.audit import AuditFilter
from datora_graph.personal_data_service import PersonalDataService

from .test_erasure_properties import (
    Seen,
    Step,
    _normalised,
    identifiers,
    recorded,
    records,
    steps,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seen=records, decisions=steps, whom=st.integers(0, 10_000))
def test_an_access_answer_holds_exactly_the_records_that_carried_the_persons_identifiers(
    seen: list[Seen], decisions: list[Step], whom: int
) -> None:
    with recorded(seen, decisions) as service:
        people = sorted((p for p in service.export_profiles() if not p.junk), key=lambda p: p.id)
        if not people:
            return  # every record rejected, or junk alone
        profile = people[whom % len(people)]
        own = {i.identifier.key for i in profile.identifiers if not i.quarantined}

        def carried(sent: list[dict[str, str]]) -> bool:
            return any(_normalised(service, i).key in own for i in sent)

        answer = PersonalDataService(service).access(profile.id, reason="request 7", actor="dpo")
        entries = service.store.list_audit(AuditFilter(action="access_request")).items

    document = answer.document()
    expected_observations = {
        f"o{n}" for n, s in enumerate(seen) if not s.rejected and carried(identifiers(s))
    }
    expected_events = {
        f"e{n}" for n, s in enumerate(seen) if s.event and carried(identifiers(s)[:1])
    }
    expected_rejected = {
        f"o{n}" for n, s in enumerate(seen) if s.rejected and carried(identifiers(s))
    }
    assert {o["id"] for o in document["observations"]} == expected_observations
    assert {e["id"] for e in document["events"]} == expected_events
    assert {r["id"] for r in document["rejected_records"]} == expected_rejected
    assert {f"{i['type']}:{i['value']}" for i in document["profile"]["identifiers"]} == {
        i.identifier.key for i in profile.identifiers
    }
    assert all(
        f"{c['identifier']['type']}:{c['identifier']['value']}" in own for c in document["consent"]
    )
    (entry,) = entries
    assert entry.id == answer.audit_id
    assert entry.subject == profile.id
    assert entry.details == answer.counts()
    assert entry.details["observations"] == len(expected_observations)
    assert document["history"][-1] == {"at": document["generated_at"], "action": "access_request"}
