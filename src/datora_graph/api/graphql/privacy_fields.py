"""The privacy officer's GraphQL fields: `answerAccessRequest`, `eraseProfile` and
`redactRecord` (`PrivacyMutation`), scope `admin`.

    mutation { answerAccessRequest(profile: "email:ann@acme.io", reason: "GDPR request 114") }

    mutation { eraseProfile(profile: "email:ann@acme.io", reason: "GDPR request 114") {
                 profileId aliases auditId removed { identifiers observationsRemoved }
                 mentions { total items { kind recordId fields } } } }
    mutation { redactRecord(kind: OBSERVATION, recordId: "o9", fields: ["referrer_email"],
                            reason: "GDPR request 114") { auditId profilesRecomputed } }

Each is recorded in the audit log with the calling key's name and the reason.
"""

from __future__ import annotations

import logging
from enum import Enum

import strawberry

from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import mutation
from datora_graph.api.graphql.scalars import JSON
from datora_graph.domain.erasure import ErasureCounts
from datora_graph.domain.mentions import Mention, MentionPage
from datora_graph.erasure_service import ErasureReport, ErasureService
from datora_graph.personal_data_service import PersonalDataService
from datora_graph.redaction_service import RedactionReport, RedactionService

logger = logging.getLogger(__name__)


@strawberry.type(description="What an erasure removed or rewrote.")
class ErasureRemoved:
    identifiers: int
    observations_removed: int
    observations_rewritten: int = strawberry.field(
        description="Observations that also carried someone else's identifiers, kept without "
        "the erased ones"
    )
    events_removed: int
    events_rewritten: int = strawberry.field(
        description="Events of someone else that also named an erased identifier, kept without it"
    )
    consent_statements: int
    review_items: int
    evidence: int
    decisions: int = strawberry.field(
        description="Steward decisions that named the person with nothing else to apply again "
        "(a rejection between the person and someone else), deleted"
    )
    decisions_redacted: int = strawberry.field(
        description="Steward decisions that named the person, kept without them for a rebuild "
        "to apply again; they can no longer be undone"
    )
    quotes_replaced: int = strawberry.field(
        description="Merge notes, cannot-links, must-links and review items' resolutions that "
        "copied a steward decision's reason quoting the person, kept with the reason replaced"
    )
    rejections: int = strawberry.field(
        description="Rejected items whose text mentions one of the person's identifiers"
    )

    @classmethod
    def of(cls, counts: ErasureCounts) -> ErasureRemoved:
        return cls(**counts.to_dict())


@strawberry.enum(description="The kind of record that mentions an erased value.")
class ErasureMentionKind(Enum):
    OBSERVATION = "observation"
    EVENT = "event"
    DECISION = "decision"


@strawberry.type(
    description="A record of someone else that still mentions an erased identifier value in "
    "free fields; the value itself is not repeated"
)
class ErasureMention:
    kind: ErasureMentionKind
    record_id: strawberry.ID
    fields: list[str] = strawberry.field(
        description="The attribute (observation), property (event) or snapshotted profile "
        "attribute (decision) names that mention it"
    )

    @classmethod
    def of(cls, mention: Mention) -> ErasureMention:
        return cls(
            kind=ErasureMentionKind(mention.kind),
            record_id=strawberry.ID(mention.record_id),
            fields=list(mention.fields),
        )


@strawberry.type(
    description="Records of others the erasure left as they were whose attributes, event "
    "properties or steward decision snapshots still mention an erased identifier value (case "
    "ignored, values of 6 characters or more): for a person to deal with (redactRecord takes "
    "a field out of an observation or event)"
)
class ErasureMentions:
    total: int
    items: list[ErasureMention] = strawberry.field(
        description="The first 100: observations in log order, then events by ID, then steward "
        "decisions in the order made"
    )

    @classmethod
    def of(cls, page: MentionPage) -> ErasureMentions:
        return cls(total=page.total, items=[ErasureMention.of(m) for m in page.items])


@strawberry.type(description="An erasure done: the profile, its aliases and the audit entry.")
class Erasure:
    profile_id: strawberry.ID
    aliases: list[strawberry.ID]
    audit_id: strawberry.ID
    removed: ErasureRemoved
    mentions: ErasureMentions

    @classmethod
    def of(cls, report: ErasureReport) -> Erasure:
        return cls(
            profile_id=strawberry.ID(report.profile_id),
            aliases=[strawberry.ID(a) for a in report.aliases],
            audit_id=strawberry.ID(report.audit_id),
            removed=ErasureRemoved.of(report.counts),
            mentions=ErasureMentions.of(report.mentions),
        )


@strawberry.enum(description="The kind of logged record a redaction takes fields out of.")
class RedactionKind(Enum):
    OBSERVATION = "observation"
    EVENT = "event"


@strawberry.type(
    description="A redaction done: what went from which record (by name, never the values), "
    "the audit entry, and the profiles whose golden attributes were folded again from the log"
)
class Redaction:
    kind: RedactionKind
    record_id: strawberry.ID
    fields: list[str]
    audit_id: strawberry.ID
    profiles_recomputed: list[strawberry.ID]

    @classmethod
    def of(cls, report: RedactionReport) -> Redaction:
        return cls(
            kind=RedactionKind(report.kind),
            record_id=strawberry.ID(report.record_id),
            fields=list(report.fields),
            audit_id=strawberry.ID(report.audit_id),
            profiles_recomputed=[strawberry.ID(p) for p in report.profiles],
        )


@strawberry.type
class PrivacyMutation:
    """Results are nullable, as every mutation's (see `mutations.Mutation`)."""

    @mutation(
        "Answer a person's access request: everything kept about the person of the profile "
        "named by `profile` (its ID, an alias or one identifier written `type:value`), as the "
        "JSON document of `POST /v1/access-requests` (README: Answering an access request). A "
        "mutation because it is audited (`access_request`, with the reason); needs the `admin` "
        "scope."
    )
    async def answer_access_request(self, info: Info, profile: str, reason: str) -> JSON | None:
        service = PersonalDataService(info.context.service)
        answer = await info.context.read(
            service.access, profile, reason=reason, actor=info.context.actor
        )
        return JSON(answer.document())

    @mutation(
        "Erase a person for good: the profile named by `profile` (its ID, an alias or one "
        "identifier written `type:value`), its identifiers, events, consent, evidence, review "
        "items and the steward decisions naming it; the observation log is redacted so a "
        "rebuild does not bring it back. Needs the `admin` scope; audited."
    )
    async def erase_profile(self, info: Info, profile: str, reason: str) -> Erasure | None:
        service = ErasureService(info.context.service)
        report = await info.context.read(
            service.erase_profile, profile, reason=reason, actor=info.context.actor
        )
        if warning := report.mentions_warning():
            logger.warning("%s", warning)
        return Erasure.of(report)

    @mutation(
        "Take the named top-level attributes (an observation) or properties (an event) out of "
        "one logged record of someone, such as an erased person's value in their free field; "
        "golden attributes and traits derived from it follow, as a rebuild gives them. Needs "
        "the `admin` scope; audited with the record and field names, never the values."
    )
    async def redact_record(
        self,
        info: Info,
        kind: RedactionKind,
        record_id: strawberry.ID,
        fields: list[str],
        reason: str,
    ) -> Redaction | None:
        service = RedactionService(info.context.service)
        report = await info.context.read(
            service.redact,
            kind.value,
            str(record_id),
            fields,
            reason=reason,
            actor=info.context.actor,
        )
        return Redaction.of(report)
