"""What a person's access request is answered with: everything the store holds about them.

A privacy officer answering an access request (GDPR art. 15, and portability, art. 20) must
hand over every piece of personal data kept, in a structured, machine-readable form. The
answer is one JSON document: the golden profile and its identifiers, computed traits, the
consent in force, how the profile came together (its merges), every observation that carried
one of the identifiers as it was logged (redactions applied), every event of the journey, and
the rejected records that mention an identifier (kept for a person to fix and resend). Of a
shared identifier held quarantined in the profile (a family tablet), the profile lists the
identifier, flagged, but the records and events that carry it alone are other people's too
and are left out, as is its consent.

Review items and steward decisions are left out: they name other people's profiles and
identifiers (the other end of a held link), which the person has no right to see. The audit
entries about the profile are listed by time and action only: their reasons and actors are
the staff's notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from datora_graph.domain.audit import AuditEntry
from datora_graph.domain.consent import ConsentState
from datora_graph.domain.moments import iso
from datora_graph.domain.profiles import GoldenProfile, MergeRecord
from datora_graph.domain.records import Event, Rejection
from datora_graph.domain.traits import ProfileTraits

FORMAT = "datora-personal-data/1"
"""Named in the document, so a reader can tell later versions apart."""


@dataclass(frozen=True, slots=True)
class PersonalData:
    profile: GoldenProfile
    traits: ProfileTraits | None
    consent: Sequence[ConsentState]
    merges: Sequence[MergeRecord]
    observations: Sequence[Mapping[str, Any]]
    """As logged (a redaction's removals applied), oldest first."""
    events: Sequence[Event]
    rejected: Sequence[Rejection]
    history: Sequence[AuditEntry]
    """The audit entries about the profile or one of its aliases, this request's included."""
    generated_at: datetime
    audit_id: str
    """The audit entry of this request."""

    def counts(self) -> dict[str, int]:
        """How much of each the answer holds (the audit entry's details: never a value)."""
        return {
            "identifiers": len(self.profile.identifiers),
            "observations": len(self.observations),
            "events": len(self.events),
            "consent": len(self.consent),
            "rejected_records": len(self.rejected),
        }

    def document(self) -> dict[str, Any]:
        """The JSON document the person is given."""
        profile = self.profile
        return {
            "format": FORMAT,
            "generated_at": iso(self.generated_at),
            "request": {"audit_entry": self.audit_id},
            "profile": {
                "id": profile.id,
                "aliases": list(profile.aliases),
                "created_at": iso(profile.created_at),
                "updated_at": iso(profile.updated_at),
                "attributes": dict(profile.attributes),
                "identifiers": [
                    {
                        "type": held.identifier.type,
                        "value": held.identifier.value,
                        "first_seen": iso(held.first_seen),
                        "junk": held.junk,
                        "quarantined": held.quarantined,
                    }
                    for held in profile.identifiers
                ],
            },
            "traits": _traits(self.traits),
            "consent": [
                {
                    "identifier": {"type": c.identifier.type, "value": c.identifier.value},
                    "purpose": c.purpose,
                    "status": c.status,
                    "stated_at": iso(c.stated_at),
                    "source": c.source,
                }
                for c in self.consent
            ],
            "merges": [
                {
                    "absorbed": m.absorbed,
                    "survivor": m.survivor,
                    "observation_id": m.observation_id,
                    "at": iso(m.at),
                    "reason": m.reason,
                }
                for m in self.merges
            ],
            "observations": list(self.observations),
            "events": [
                {
                    "id": e.id,
                    "type": e.type,
                    "occurred_at": iso(e.occurred_at),
                    "source": e.source,
                    "identifiers": [{"type": i.type, "value": i.value} for i in e.identifiers],
                    "properties": dict(e.properties),
                }
                for e in self.events
            ],
            "rejected_records": [
                {
                    "kind": r.kind,
                    "id": r.item_id,
                    "field": r.field,
                    "reason": r.reason,
                    "as_received": r.payload,
                }
                for r in self.rejected
            ],
            "history": [{"at": iso(a.at), "action": a.action} for a in self.history],
        }


def _traits(traits: ProfileTraits | None) -> dict[str, Any] | None:
    if traits is None:
        return None
    return {
        "as_of": iso(traits.as_of),
        "first_seen": iso(traits.first_seen),
        "last_seen": iso(traits.last_seen),
        "event_count": traits.event_count,
        "events_by_type": dict(traits.events_by_type),
        "order_count": traits.order_count,
        "total_revenue": traits.total_revenue,
        "average_order_value": traits.average_order_value,
        "purchase_frequency": traits.purchase_frequency,
        "customer_lifetime_value": traits.customer_lifetime_value,
        "recency_days": traits.recency_days,
        "engagement_score": traits.engagement_score,
        "data_quality": traits.data_quality,
        "currency": traits.currency,
    }
