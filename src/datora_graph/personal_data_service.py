"""A privacy officer's use case: answer a person's access request with everything kept
about them (domain/personal_data.py says what, and what not).

    answer = PersonalDataService(identity).access("email:ann@acme.io",
                                                  reason="GDPR request 2026-114", actor="dpo")
    json.dump(answer.document(), file)

The profile is found as an erasure finds it (ID, alias or `type:value`), and its records
through the same reads (the log index, the rejected items mentioning an identifier:
person_records.py). A record is the person's when it carries one of their identifiers that
is not quarantined: a shared one (the family tablet, a kiosk's e-mail) is held in one profile
but seen in others' records too, which are theirs, not this person's. The request is audited
(`access_request`: who, why, the profile, and how many records of each kind were handed over,
never a value) before the answer is returned, so no copy leaves unrecorded. The reads are not
one snapshot: a record logged while they run may or may not be in the answer, which says
when it was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

from datora_graph.domain.audit import AuditEntry, new_audit_entry
from datora_graph.domain.personal_data import PersonalData
from datora_graph.domain.profiles import MAX_PAGE_SIZE, GoldenProfile, JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.json_codec import loads
from datora_graph.log_index import LogIndex, Progress
from datora_graph.person_records import (
    audit_about,
    folded_reason,
    person_profile,
    rejections_mentioning,
)
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService


class PersonalDataService:
    def __init__(self, identity: IdentityService) -> None:
        self.identity = identity
        self.store = identity.store

    def access(
        self, reference: str, *, reason: str, actor: str, progress: Progress | None = None
    ) -> PersonalData:
        """Everything kept about the person of the profile `reference` names; NotFound when
        none does, InvalidInput naming `reason` when it is blank or quotes an identifier, and
        naming `profile` for a junk value's profile (nobody's)."""
        reason = folded_reason(reason)
        profile = person_profile(self.identity, reference, reason, "answer for")
        own = sorted(i.identifier.key for i in profile.identifiers if not i.quarantined)
        logged = LogIndex(self.store, self.identity.registry).observations_with(own, progress)
        traits = SegmentService(self.store, self.identity.settings).traits_of([profile.id])
        answer = PersonalData(
            profile=profile,
            traits=traits.get(profile.id),
            consent=[
                state
                for state in self.store.consent_of_profiles([profile.id]).get(profile.id, [])
                if state.identifier.key in own
            ],
            merges=self.store.merge_history([profile.id]).get(profile.id, []),
            observations=[loads(payload) for _, payload in logged],
            events=[
                event
                for event in self._journey(profile.id)
                if any(identifier.key in own for identifier in event.identifiers)
            ],
            rejected=[item for _, item in rejections_mentioning(self.store, own)],
            history=(),
            generated_at=datetime.now(UTC),
            audit_id="",
        )
        entry = new_audit_entry(
            actor,
            "access_request",
            reason,
            before=(profile.id, *profile.aliases),
            after=(profile.id,),
            subject=profile.id,
            details=answer.counts(),
            at=answer.generated_at,
        )
        self.store.append_audit([entry])
        return replace(answer, history=self._history(profile), audit_id=entry.id)

    def _journey(self, profile_id: str) -> Iterator[Event]:
        """Every event of the profile's identifiers, oldest first, a page at a time."""
        after = None
        while True:
            page = self.store.journey(profile_id, JourneyQuery(first=MAX_PAGE_SIZE, after=after))
            yield from page.events
            if not page.has_next_page:
                return
            after = page.end_cursor

    def _history(self, profile: GoldenProfile) -> list[AuditEntry]:
        """The audit entries naming the profile or one of its aliases, oldest first."""
        found = {
            entry.id: entry
            for profile_id in (profile.id, *profile.aliases)
            for entry in audit_about(self.store, profile_id=profile_id)
        }
        return sorted(found.values(), key=lambda entry: (entry.at, entry.id))
