"""A privacy officer's redaction: named top-level fields taken out of one logged record of
someone (an observation's `attributes`, an event's `properties`), where an erasure only
reported them (`domain/mentions.py`: Bob's `"referrer_email": "ann@acme.io"`).

Ingest is idempotent on the record ID, so a source cannot send a corrected copy: the logged
one is rewritten here, and what was derived from it follows (the golden attributes of the
profile an observation's attributes were folded into, the activity an event's revenue adds
to), so that the graph stays what a rebuild or a migration gives. The audit entry names the
record and the fields, never what they held.

    >>> redacted_fields('{"a":1,"b":"x"}', ["b"], "event e1", "property")[0]
    '{"a":1}'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from datora_graph.domain.audit import AuditEntry, new_audit_entry
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.json_text import compact_json
from datora_graph.domain.mentions import mention_values
from datora_graph.domain.pii import json_leaves
from datora_graph.domain.records import ATTRIBUTES_REDACTED, RecordKind
from datora_graph.domain.steward import Decision, ProfileRecord

REDACTION_KINDS: tuple[RecordKind, ...] = ("observation", "event")

FIELD_NOUN: Mapping[RecordKind, str] = {"observation": "attribute", "event": "property"}
"""What one field of each kind of record is called in messages."""

DECISIONS_SCRUBBED = "decisions_scrubbed"
"""The detail of an observation's `redaction` audit entry counting the steward decisions
whose snapshots were rewritten without the removed values."""

RESOLVED_WITH = frozenset({"first_name"})
"""Attributes the resolution reads when it links a record (the name-conflict check,
resolution/name_conflicts.py): taking one out of a logged record would make a rebuild link
records otherwise than they were linked live, so it is refused."""


@dataclass(frozen=True, slots=True)
class ObservationRedaction:
    """A logged observation as it is to be kept (`payload`, at log position `seq`), the
    profile rows whose golden attributes it changes (recomputed from the log), the steward
    decisions whose snapshots are rewritten without the removed values
    (domain/redaction_decisions.py), and the audit entry: written by the store in one
    transaction."""

    seq: int
    payload: str
    profiles: tuple[ProfileRecord, ...]
    audit: AuditEntry
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True, slots=True)
class EventRedaction:
    """A stored event's properties as they are to be kept (JSON text), and the audit entry.
    The store moves the activity the event counts for (its revenue) in the same
    transaction."""

    event_id: str
    properties: str
    audit: AuditEntry


def field_names(fields: Sequence[str]) -> tuple[str, ...]:
    """The distinct field names asked for, in order; InvalidInput naming `fields` when none
    (or a blank one) is given."""
    if not fields:
        raise InvalidInput("fields", "name at least one field to redact")
    names: list[str] = []
    for index, name in enumerate(fields):
        if not name.strip():
            raise InvalidInput(f"fields[{index}]", "is blank: name a field of the record")
        if name not in names:
            names.append(name)
    return tuple(names)


def redacted_fields(
    text: str, fields: Sequence[str], record: str, noun: str, container: str | None = None
) -> tuple[str, dict[str, Any]]:
    """`text` (a JSON object: the record's properties, or with `container` the logged
    record holding them under that key) without `fields`, as compact JSON, and the removed
    fields with their values; InvalidInput naming the first field `record` does not have."""
    decoded = json.loads(text)
    holder = decoded.get(container) if container is not None else decoded
    if not isinstance(holder, dict):
        holder = {}
    for index, name in enumerate(fields):
        if name not in holder:
            held = ", ".join(sorted(holder)) or "none"
            raise InvalidInput(
                f"fields[{index}]", f"{record} has no {noun} {name!r} (it has: {held})"
            )
    removed = {name: holder.pop(name) for name in fields}
    if container is not None and not holder:
        del decoded[container]  # the wire format's default: no attributes
        decoded[ATTRIBUTES_REDACTED] = True  # they dated the profile's last update live
    return compact_json(decoded), removed


def refuse_resolved_with(fields: Sequence[str]) -> None:
    """InvalidInput naming the first of `fields` the resolution links records with."""
    for index, name in enumerate(fields):
        if name in RESOLVED_WITH:
            raise InvalidInput(
                f"fields[{index}]",
                f"{name!r} is read by the resolution when it links records (the name check): "
                "without it a rebuild would link them otherwise; erase the person instead, "
                "or correct it at the source with a new record",
            )


def redaction_reason(reason: str, removed: Mapping[str, Any]) -> str:
    """The reason, with its whitespace folded; InvalidInput naming `reason` when it is blank
    or quotes a removed value (of 6 characters or more, case ignored, as an erasure's mentions
    are found): the audit log keeps the reason after the value is gone."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("reason", "is required: say why, for the audit log")
    quoted = mention_values(leaf for value in removed.values() for leaf in json_leaves(value))
    if any(value in reason.lower() for value in quoted):
        raise InvalidInput(
            "reason",
            "quotes a value being redacted, and the audit log keeps the reason after the value "
            "is gone: say why without it (a request number)",
        )
    return reason


def redaction_entry(
    actor: str,
    reason: str,
    kind: RecordKind,
    record_id: str,
    fields: Sequence[str],
    profiles: Sequence[str] = (),
) -> AuditEntry:
    """The `redaction` audit entry: the record, the field names and the profiles whose golden
    attributes were recomputed, never a removed value."""
    return new_audit_entry(
        actor,
        "redaction",
        reason,
        before=tuple(profiles),
        after=tuple(profiles),
        subject=record_id,
        details={"kind": kind, "record_id": record_id, "fields": list(fields)},
    )


def with_scrubbed(entry: AuditEntry, decisions: int) -> AuditEntry:
    """The `redaction` entry of an observation, saying how many steward decisions were
    scrubbed of the removed values (a count, never a value)."""
    return replace(entry, details={**entry.details, DECISIONS_SCRUBBED: decisions})
