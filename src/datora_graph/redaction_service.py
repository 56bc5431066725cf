"""A privacy officer's use case: take named fields out of one logged record of someone else.

    report = RedactionService(identity).redact("observation", "o9", ["referrer_email"],
                                               reason="GDPR request 2026-114", actor="dpo")

An erasure reports the records of others whose free fields still write the erased person's
value (domain/mentions.py); since ingest is idempotent on the record ID, the source cannot
send a corrected copy, so this is where the logged copy is corrected (domain/redaction.py).

Under the identity service's write lock (no ingest interleaves): an observation's golden
attributes are recomputed from the logged records anchored in the profile that folded its
attributes in, with the fold a split uses (`resolution.steward.plan_split`, the profile as
its one part), so they are what a rebuild gives; an event's activity (its revenue) is moved
by the store in the same transaction, and so are the steward decisions whose snapshots held
the removed values (domain/redaction_decisions.py). The log index is caught up before the
lock is taken, as a split does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Observation, RecordKind, parse_logged_observation
from datora_graph.domain.redaction import (
    FIELD_NOUN,
    REDACTION_KINDS,
    EventRedaction,
    ObservationRedaction,
    field_names,
    redacted_fields,
    redaction_entry,
    redaction_reason,
    refuse_resolved_with,
    with_scrubbed,
)
from datora_graph.domain.redaction_decisions import RedactedValues, scrub_decision
from datora_graph.domain.steward import Decision, ProfileRecord
from datora_graph.log_index import LogIndex, Progress
from datora_graph.resolution.steward import attribute_anchor, plan_split
from datora_graph.services import IdentityService, guard_positions
from datora_graph.steward_placement import log_position_of
from datora_graph.steward_service import StewardService

logger = logging.getLogger(__name__)

RECOMPUTED = "redaction"
"""Stands in for a decision ID where the split's fold is used with one part (no ID is made)."""


@dataclass(frozen=True, slots=True)
class RedactionReport:
    kind: RecordKind
    record_id: str
    fields: tuple[str, ...]
    audit_id: str
    profiles: tuple[str, ...] = ()
    """The profiles whose golden attributes were recomputed (an observation's; none for an
    event, or for an observation whose attributes the engine folded nowhere)."""


class RedactionService:
    """Redaction over the identity service's store, registry and write lock."""

    def __init__(self, identity: IdentityService) -> None:
        self.identity = identity
        self.store = identity.store
        self.registry = identity.registry
        self.stewards = StewardService(identity)

    def redact(
        self,
        kind: str,
        record_id: str,
        fields: Sequence[str],
        *,
        reason: str,
        actor: str,
        progress: Progress | None = None,
    ) -> RedactionReport:
        """Remove `fields` from the record; NotFound when no such record is kept (saying so
        when an erasure removed it), InvalidInput naming the field at fault otherwise."""
        if kind not in REDACTION_KINDS:
            raise InvalidInput("kind", f"{kind!r} is not one of {', '.join(REDACTION_KINDS)}")
        record_kind: RecordKind = "observation" if kind == "observation" else "event"
        names = field_names(fields)
        if record_kind == "observation":
            refuse_resolved_with(names)
            LogIndex(self.store, self.registry).catch_up(progress)
        with self.identity._write_lock:
            if record_kind == "observation":
                report = self._observation(record_id, names, reason, actor)
            else:
                report = self._event(record_id, names, reason, actor)
        logger.info("redacted %s %s for %s: %s", kind, record_id, actor, ", ".join(names))
        return report

    def _observation(
        self, record_id: str, names: tuple[str, ...], reason: str, actor: str
    ) -> RedactionReport:
        logged = self.store.logged_observation(record_id)
        if logged is None:
            raise NotFound(self._missing("observation", record_id, "is logged"))
        seq, payload = logged
        record = f"observation {record_id}"
        kept, removed = redacted_fields(payload, names, record, "attribute", "attributes")
        reason = redaction_reason(reason, removed)
        folded = self._folded_into(seq, payload)
        profiles = self._recomputed(seq, kept, folded)
        audit = redaction_entry(
            actor, reason, "observation", record_id, names, [p.id for p in profiles]
        )
        decisions = self._scrubbed(seq, folded, removed, audit.id)
        audit = with_scrubbed(audit, len(decisions))
        self.store.redact_observation(ObservationRedaction(seq, kept, profiles, audit, decisions))
        return RedactionReport(
            "observation", record_id, names, audit.id, tuple(p.id for p in profiles)
        )

    def _event(
        self, record_id: str, names: tuple[str, ...], reason: str, actor: str
    ) -> RedactionReport:
        properties = self.store.event_properties(record_id)
        if properties is None:
            raise NotFound(self._missing("event", record_id, "is stored"))
        record = f"event {record_id}"
        kept, removed = redacted_fields(properties, names, record, FIELD_NOUN["event"])
        reason = redaction_reason(reason, removed)
        audit = redaction_entry(actor, reason, "event", record_id, names)
        self.store.redact_event(EventRedaction(record_id, kept, audit))
        return RedactionReport("event", record_id, names, audit.id)

    def _missing(self, kind: RecordKind, record_id: str, kept: str) -> str:
        if self.store.erased_ids(kind, [record_id]):
            return f"{kind} {record_id} was erased at a privacy request: nothing of it is kept"
        return f"no {kind} {record_id} {kept}"

    def _folded_into(self, seq: int, payload: str) -> tuple[Observation, Identifier] | None:
        """The logged record and the identifier the engine folded its attributes into; None
        when it folded them nowhere (no attributes, or every identifier junk or quarantined)
        or the record is no longer valid under the current settings (a replay rejects it,
        and a rebuild says so first)."""
        try:
            before = parse_logged_observation(payload, self.registry, seq)
        except InvalidInput:
            return None
        keys = {i.key for i in before.identifiers}
        anchor = attribute_anchor(
            before, self.registry, guard_positions(self.store, keys).quarantined
        )
        if anchor is None or not before.attributes:
            return None
        return before, anchor

    def _recomputed(
        self, seq: int, kept: str, folded: tuple[Observation, Identifier] | None
    ) -> tuple[ProfileRecord, ...]:
        """The row of the profile the engine folded the record's attributes into, with its
        golden attributes folded again from its logged records, the record as `kept`: the
        fold a split makes of each part, here of the profile whole. None when the record
        folded them nowhere (`_folded_into`)."""
        if folded is None:
            return ()
        try:
            after = parse_logged_observation(kept, self.registry, seq)
        except InvalidInput:
            return ()
        anchor = folded[1]
        profile_id = self.store.profile_ids_for_identifiers([anchor.key]).get(anchor.key)
        if profile_id is None:
            return ()
        slice_ = self.store.profile_slice([profile_id])
        original = slice_.profile(profile_id)
        if original is None:
            return ()
        members = slice_.members(profile_id)
        observations = [
            after if o.seq == seq else o
            for o in self.stewards.changes.observations_of(set(members))
        ]
        seen = {i.key for o in observations for i in o.identifiers}
        plan = plan_split(
            slice_,
            profile_id,
            [sorted(members)],
            (),
            RECOMPUTED,
            observations,
            self.registry,
            self.stewards.rules,
            None,
            guard_positions(self.store, seen).quarantined,
        )
        part = plan.parts[0]
        return (replace(original, attributes=part.attributes, candidates=part.candidates),)

    def _scrubbed(
        self,
        seq: int,
        folded: tuple[Observation, Identifier] | None,
        removed: Mapping[str, Any],
        audit_id: str,
    ) -> tuple[Decision, ...]:
        """The logged steward decisions whose snapshots held the removed values where the
        record put them, scrubbed of them (domain/redaction_decisions.py). A decision whose
        snapshots were taken before the record was logged never saw it: a value they hold
        came from another record (`_seen_up_to`)."""
        if folded is None:
            return ()
        observation, anchor = folded
        redacted = RedactedValues.of(anchor.key, observation.source, removed)
        positions: dict[str, int | None] = {}
        scrubbed: list[Decision] = []
        for decision in self.stewards.all_decisions():  # oldest first: an undo after its decision
            position = positions[decision.id] = _seen_up_to(decision, positions)
            if position is not None and position < seq:
                continue
            kept = scrub_decision(decision, redacted, audit_id, self.stewards.rules)
            if kept is not decision:
                scrubbed.append(kept)
        return tuple(scrubbed)


def _seen_up_to(decision: Decision, earlier: Mapping[str, int | None]) -> int | None:
    """The last log position whose record a decision's snapshots may hold; None: not known,
    so any. An exact undo records no position of its own (a replay applies nothing of it),
    but it was made only while its profiles were as the decision it undoes left them, and its
    snapshots are that decision's two states the other way round: that decision's position
    bounds them. A merge-back snapshots the profiles as they are when it is made, at its own
    position. `earlier`: what this answered for the decisions before it in the log."""
    if decision.kind == "undo" and not decision.details.get("merged_back"):
        return earlier.get(str(decision.details.get("undoes")))
    return log_position_of(decision)


def described(report: RedactionReport) -> str:
    """One line for a person: what went from which record."""
    noun = FIELD_NOUN[report.kind]
    if len(report.fields) > 1:
        noun = "properties" if noun == "property" else f"{noun}s"
    return f"removed {noun} {', '.join(report.fields)} from {report.kind} {report.record_id}"
