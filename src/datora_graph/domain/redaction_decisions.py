"""What a redaction leaves of the steward decisions that snapshotted the redacted record's
profile.

A decision keeps the profiles it found and left (`before`, `after`), golden attributes and
their candidates included, to show them and to undo it. A redacted value folded into such a
snapshot would outlive the redaction there, readable in the decision log, so it is scrubbed:
in each snapshot profile holding the record's attribute anchor, the record's occurrence goes
from the candidate its source gave the redacted attribute with the removed value (the
candidate goes when it was the only one), and a golden value equal to it is chosen again from
the candidates left by the deployment's survivorship rules (gone when none is left). The value
stays only where another record still gives it, as the live profile keeps it then too. Only
decisions made once the record was logged are scrubbed: an earlier one never saw it.

A scrubbed snapshot is no longer the state the decision left, so the decision is marked
(`SCRUBBED_BY` lists the redactions' audit entries) and undo never writes it back as exact:
it treats the redaction as it treats new records (steward_undo.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from datora_graph.domain.steward import Decision, GraphSlice, ProfileRecord
from datora_graph.domain.survivorship import (
    AttributeCandidate,
    SurvivorshipRules,
    canonical_json,
)

SCRUBBED_BY = "scrubbed_by"
"""The key of a scrubbed decision's `details` listing the redactions' audit entry IDs."""


@dataclass(frozen=True, slots=True)
class RedactedValues:
    """Where a redacted observation's values were folded: the identifier its attributes went
    into (`anchor`), the source they were reported by, and each removed attribute's value as
    canonical JSON (the candidates' spelling)."""

    anchor: str
    source: str
    values: Mapping[str, str]

    @classmethod
    def of(cls, anchor: str, source: str, removed: Mapping[str, Any]) -> RedactedValues:
        return cls(anchor, source, {name: canonical_json(v) for name, v in removed.items()})


def scrub_decision(
    decision: Decision, redacted: RedactedValues, audit_id: str, rules: SurvivorshipRules
) -> Decision:
    """`decision` without the redacted values in its snapshots, marked with `audit_id`; the
    decision itself when no snapshot held them."""
    before = scrub_slice(decision.before, redacted, rules)
    after = scrub_slice(decision.after, redacted, rules)
    if before is decision.before and after is decision.after:
        return decision
    marks = [*scrubbed_by(decision), audit_id]
    return replace(
        decision, before=before, after=after, details={**decision.details, SCRUBBED_BY: marks}
    )


def scrubbed_by(decision: Decision) -> list[str]:
    """The audit entries of the redactions that scrubbed `decision`'s snapshots (none: as
    made)."""
    marks = decision.details.get(SCRUBBED_BY)
    return [str(m) for m in marks] if isinstance(marks, list) else []


def scrub_slice(
    slice_: GraphSlice, redacted: RedactedValues, rules: SurvivorshipRules
) -> GraphSlice:
    """The slice with the profile holding the anchor scrubbed; the slice itself when that
    profile held none of the values."""
    holder = slice_.assignments.get(redacted.anchor)
    profile = slice_.profile(holder) if holder is not None else None
    if profile is None:
        return slice_
    scrubbed = _scrubbed(profile, redacted, rules)
    if scrubbed is profile:
        return slice_
    return replace(
        slice_, profiles=tuple(scrubbed if p.id == holder else p for p in slice_.profiles)
    )


def _scrubbed(
    profile: ProfileRecord, redacted: RedactedValues, rules: SurvivorshipRules
) -> ProfileRecord:
    candidates = dict(profile.candidates)
    attributes = dict(profile.attributes)
    changed = False
    for name, value in redacted.values.items():
        pool = candidates.get(name, [])
        kept = _without_record(pool, value, redacted.source)
        if kept != pool:
            changed = True
            if kept:
                candidates[name] = kept
            else:
                del candidates[name]
        if name in attributes and canonical_json(attributes[name]) == value:
            golden = rules.golden({name: kept})
            if name not in golden:
                del attributes[name]
                changed = True
            elif canonical_json(golden[name]) != value:
                attributes[name] = golden[name]
                changed = True
    if not changed:
        return profile
    return replace(profile, attributes=attributes, candidates=candidates)


def _without_record(
    pool: list[AttributeCandidate], value: str, source: str
) -> list[AttributeCandidate]:
    """The candidates without the redacted record's one occurrence of `value` from `source`:
    its candidate goes when that was its only one; else another record of the source still
    gives the value, and its times stay as they were (which record set them is not kept)."""
    kept: list[AttributeCandidate] = []
    for candidate in pool:
        if (candidate.value, candidate.source) != (value, source):
            kept.append(candidate)
        elif candidate.occurrences > 1:
            kept.append(candidate._replace(occurrences=candidate.occurrences - 1))
    return kept
