"""Erasing a person: what goes, what is rewritten, and how the observation log is redacted.

A privacy officer's erasure request names one profile. Everything that holds its identifiers
goes in one store transaction: the identifiers, the profile, its aliases and merge history,
the evidence and review items they are in, their guard states and constraints, their consent
and their events; the steward decisions that name them are redacted (erasure_decisions.py).
The append-only observation log is redacted rather than kept as sent, or a rebuild would
bring the person back: an observation that carried only the person's identifiers goes; one
that also carried someone else's (a newsletter sign-up with a family email) is rewritten
without the person's identifiers, and without its attributes when they were folded into the
person's profile.

An event credited to one of the person's identifiers (its first) goes; an event that names
them after another person's identifier stays with that person, without them. Rejected items
were never parsed into identifiers, so they are matched by text (`mentions_any`): one that
mentions any of the person's identifier values goes whole. The audit log keeps the erasure
itself, with profile IDs and counts but no identifier.

The IDs of the observations and events that went are remembered as one-way fingerprints
(`erased_fingerprint`), so that a source sending the same record again is told it was erased
instead of bringing the person back: ingest stays idempotent on ID across an erasure, and the
store keeps nothing an ID can be read back from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers

from datora_graph.domain.audit import AuditEntry
from datora_graph.domain.identifiers import IdentifierRegistry, logged_identifier
from datora_graph.domain.json_text import compact_json
from datora_graph.domain.kept_holds import KEPT_HOLDS, links_without
from datora_graph.domain.kept_links import KEPT_ANSWERS, KEPT_LINKS
from datora_graph.domain.moments import iso
from datora_graph.domain.records import (
    ATTRIBUTES_REDACTED,
    KEPT_JOINS,
    KEPT_LINK_QUARANTINES,
    KEPT_NAME_CHECK,
    KEPT_QUARANTINE_REASON,
    KEPT_QUARANTINES,
    UNLINKED,
    RecordKind,
)
from datora_graph.domain.steward import Decision


@dataclass(frozen=True, slots=True)
class LogRedaction:
    """One logged observation that carried the person: its new payload, or None when nothing
    of it is left and the row goes."""

    seq: int
    payload: str | None
    observation_id: str
    """Its ID, remembered as a fingerprint (`erased_fingerprint`) when the row goes."""


@dataclass(frozen=True, slots=True)
class Erasure:
    """Everything one erasure removes, applied by the store in one transaction."""

    profile_id: str
    keys: tuple[str, ...]
    """The profile's identifiers."""
    log: tuple[LogRedaction, ...]
    decisions: tuple[str, ...]
    """The steward decisions naming one of `keys` with nothing left to apply again."""
    audit: AuditEntry
    rejections: tuple[int, ...] = ()
    """The log positions of the rejected items that mention one of `keys` (`mentions_any`)."""
    redacted_decisions: tuple[Decision, ...] = ()
    """The other steward decisions that named one of `keys`, as they are to be kept
    (erasure_decisions.py)."""
    requarantined: tuple[str, ...] = ()
    """Identifiers a rewritten record quarantined live (`redacted_text`): their quarantine
    reason becomes `KEPT_QUARANTINE_REASON`, as a replay gives it."""
    review_rewrites: tuple[ReviewRewrite, ...] = ()
    """Review items of others that quoted the old reason of a `requarantined` identifier."""
    audit_reasons: tuple[str, ...] = ()
    """The audit entries of steward decisions whose reason quoted one of `keys`: their reason
    becomes `erasure_decisions.REDACTED_REASON`, as the decision's does."""

    merge_entries: tuple[AuditEntry, ...] = ()
    """The `merge` entries of ingest that named a removed observation by its ID, naming it
    by its fingerprint instead (`unnamed_merge_entry`): a source's record ID may be an e-mail
    address, and only the fingerprint of a removed record's ID is kept."""
    note_reasons: tuple[str, ...] = ()
    """The steward decisions whose reason quoted one of `keys`: the reason of every merge note
    they made that stays (`steward merge: …`, `undo of split …: …`) becomes
    `erasure_decisions.REDACTED_REASON` whole, as the notes an erasure keeps in a decision
    have it (erasure_merges.py)."""
    cannot_link_reasons: tuple[tuple[int, str], ...] = ()
    """`(ID, reason)` of the cannot-links those decisions made that stay: the reason a replay
    of the redacted decision writes, keeping the `split …: ` prefix by which a merge-back
    finds the split's own (erasure_quotes.py)."""
    must_link_reasons: tuple[int, ...] = ()
    """The IDs of the must-links those decisions made: their reason (the decision's) becomes
    `erasure_decisions.REDACTED_REASON`, as a replay writes it."""
    resolution_reasons: tuple[tuple[str, str], ...] = ()
    """`(text, replacement)` of the resolutions those decisions gave the review items they
    closed (the reason; `merged by decision …: …`, `undo of split …: …`), as a replay of the
    redacted decision writes them. By text: an embedded store keeps the resolutions of the
    items a rebuild replaced too."""

    @property
    def unnamed_answers(self) -> list[tuple[str, str]]:
        """`(ID, unnamed_observation(ID))` of each observation the erasure removes: a review
        item of others that one answered (`answered_by`: it joined their profiles) names it
        so instead, as the `merge` entries do."""
        removed = dict.fromkeys(r.observation_id for r in self.log if r.payload is None)
        return [(i, unnamed_observation(i)) for i in removed]

    def entry(self, counts: ErasureCounts) -> AuditEntry:
        """The erasure's audit entry with every count of what it removed or rewrote."""
        return replace(self.audit, details={**self.audit.details, **counts.to_dict()})


@dataclass(frozen=True, slots=True)
class ReviewRewrite:
    """A review item's texts with a quoted quarantine reason replaced (`requote`), or a hub
    item's as the quarantine that holds its link in a replay (`guard`, else unchanged)."""

    item_id: int
    reason: str
    suggested_action: str
    guard: str | None = None


def requote(text: str, old_reasons: Iterable[str]) -> str:
    """`text` with each of the `old_reasons` of requarantined identifiers it quotes replaced
    by `KEPT_QUARANTINE_REASON`: the old one may quote the erased person's first name."""
    for old in old_reasons:
        if old:
            text = text.replace(old, KEPT_QUARANTINE_REASON)
    return text


@dataclass(frozen=True, slots=True)
class ErasedRecord:
    """What is kept of an observation or event an erasure removed: the fingerprint of its ID,
    when, and the audit entry of the erasure (which names profile IDs, never an identifier)."""

    fingerprint: str
    kind: RecordKind
    erased_at: str
    """ISO 8601, UTC."""
    audit_id: str


def erased_fingerprint(kind: RecordKind, record_id: str) -> str:
    """The SHA-256 of kind and ID: the same ID sent again gives the same fingerprint, and the
    fingerprint does not give the ID back."""
    return hashlib.sha256(f"{kind}\x1f{record_id}".encode()).hexdigest()


def erased_records(erasure: Erasure, event_ids: Iterable[str]) -> list[ErasedRecord]:
    """The records `erasure` leaves behind for the observations it removes whole and for the
    removed `event_ids`."""
    at = iso(erasure.audit.at)
    removed: list[tuple[RecordKind, str]] = [
        ("observation", r.observation_id) for r in erasure.log if r.payload is None
    ]
    removed.extend(("event", event_id) for event_id in event_ids)
    unique = {erased_fingerprint(kind, i): kind for kind, i in removed}
    return [ErasedRecord(f, kind, at, erasure.audit.id) for f, kind in sorted(unique.items())]


@dataclass(frozen=True, slots=True)
class ErasureCounts:
    """What an erasure removed or rewrote, for the report and the audit entry."""

    identifiers: int = 0
    observations_removed: int = 0
    observations_rewritten: int = 0
    events_removed: int = 0
    events_rewritten: int = 0
    consent_statements: int = 0
    review_items: int = 0
    evidence: int = 0
    decisions: int = 0
    decisions_redacted: int = 0
    quotes_replaced: int = 0
    """Merge notes, cannot-links, must-links and review resolutions whose copy of a steward's
    reason quoting the person was replaced (`Erasure.note_reasons` and the next three). The
    decisions themselves are in `decisions_redacted`, their audit entries in no count."""
    rejections: int = 0

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class EventRewrite:
    """An event of someone else that named erased identifiers: its new identifier JSON and
    the erased keys it named."""

    event_id: str
    identifiers: str
    gone: tuple[str, ...]


def redact_events(
    stored: Iterable[tuple[str, str]], keys: Collection[str]
) -> tuple[list[str], list[EventRewrite]]:
    """From (event ID, stored identifier JSON: a list of [type, value]) of the events naming
    an erased key: the IDs of those credited to one (their first), which go, and the rewrites
    of the others, which stay credited as before."""
    removed: list[str] = []
    rewritten: list[EventRewrite] = []
    for event_id, text in sorted(stored):
        pairs = json.loads(text)
        named = [f"{type_name}:{value}" for type_name, value in pairs]
        if named[0] in keys:
            removed.append(event_id)
            continue
        kept = [pair for pair, key in zip(pairs, named, strict=True) if key not in keys]
        gone = tuple(sorted({key for key in named if key in keys}))
        rewritten.append(EventRewrite(event_id, json.dumps(kept, ensure_ascii=False), gone))
    return removed, rewritten


def mentions_any(payload: str, keys: Collection[str]) -> bool:
    """Whether a rejected item's text mentions one of the identifier `keys`, however it was
    written: a value in any letter case, a phone number in any layout (its national digits in
    a row, once everything but digits is dropped). Leans towards a match: a rejected item of
    someone else that happens to hold the person's value goes too."""
    lowered = payload.casefold()
    digits: str | None = None
    for key in keys:
        type_name, _, value = key.partition(":")
        if type_name == "phone":
            if digits is None:
                digits = "".join(c for c in payload if c.isdigit())
            national = _national_digits(value)
            if national and national in digits:
                return True
        elif value.casefold() in lowered:
            return True
    return False


def _national_digits(e164: str) -> str:
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return "".join(c for c in e164 if c.isdigit())


def redact_observation(
    payload: Mapping[str, Any],
    keys: Collection[str],
    registry: IdentifierRegistry,
    quarantined: Collection[str] = (),
) -> dict[str, Any] | None:
    """`payload` (a logged observation as sent) without the identifiers in `keys`: None when
    none of the others is left; unchanged (the same mapping, copied) when it carries none.

    Its attributes go too when the identifier the engine folded them into is erased: the
    highest-priority one that is neither junk nor in `quarantined` (as `resolution/steward.py`
    finds it), or when there is none, since the engine folded them nowhere and they may be the
    erased person's. Consent statements of erased identifiers go."""
    kept: list[Any] = []
    erased = False
    best: tuple[int, str, bool] | None = None
    for raw in payload.get("identifiers", ()):
        key, junk = raw_key(raw, registry)
        gone = key is not None and key in keys
        erased = erased or gone
        if not gone:
            kept.append(raw)
        if key is not None and not junk and key not in quarantined:
            rank = (-registry.priority(key.partition(":")[0]), key, gone)
            if best is None or rank[:2] < best[:2]:
                best = rank
    if not erased:
        return dict(payload)
    if not kept:
        return None
    redacted = {name: value for name, value in payload.items() if name != "identifiers"}
    redacted["identifiers"] = kept
    if best is None or best[2]:
        redacted.pop("attributes", None)
        redacted.pop(ATTRIBUTES_REDACTED, None)  # dated the erased person's profile
    consent = payload.get("consent")
    if isinstance(consent, list):
        redacted["consent"] = [
            c for c in consent if not (isinstance(c, Mapping) and _names_erased(c, keys, registry))
        ]
    return redacted


def redacted_text(
    payload: str,
    keys: Collection[str],
    registry: IdentifierRegistry,
    quarantined: Mapping[str, int] | None = None,
    seq: int = 0,
    joined: Mapping[str, Sequence[int]] | None = None,
    at_links: Collection[str] = (),
) -> str | None:
    """`redact_observation` over the stored JSON text of the record at log position `seq`;
    the text itself when nothing changes. `quarantined`: the log position each quarantined
    identifier was quarantined at (0: not known, read as before every record); `at_links`:
    those a held link quarantined, not a name conflict; `joined`: the positions of the
    records that counted each identifier's first joins towards the hub bound. A rewritten
    record keeps, under `KEPT_QUARANTINES`, `KEPT_LINK_QUARANTINES` and `KEPT_JOINS`, the
    identifiers it quarantined (before linking, at a link) or counted a join for itself:
    what made it so may be what went. It keeps the links an earlier erasure kept held or
    active and the items it kept answered (`KEPT_HOLDS`, `KEPT_LINKS`, `KEPT_ANSWERS`) but
    those to an erased identifier."""
    quarantined = quarantined or {}
    joined = joined or {}
    item = json.loads(payload)
    before = {k for k, at in quarantined.items() if at <= seq}
    redacted = redact_observation(item, keys, registry, before)
    if redacted is None:
        return None
    if redacted == item:
        return payload
    if _anchor_went(item, keys, registry, before):
        redacted[UNLINKED] = True
    shared_here = {k for k, at in quarantined.items() if at == seq}
    at_link = shared_here.intersection(at_links)
    made_here = (  # each where an earlier erasure did not keep it already
        (
            KEPT_QUARANTINES,
            shared_here - at_link - _kept_keys(item, KEPT_LINK_QUARANTINES, registry),
        ),
        (KEPT_LINK_QUARANTINES, at_link - _kept_keys(item, KEPT_QUARANTINES, registry)),
        (KEPT_JOINS, {k for k, seqs in joined.items() if seq in seqs}),
    )
    for mark, keys_made_here in made_here:
        redacted.pop(mark, None)
        earlier = item.get(mark, ())
        here: dict[str, Any] = {}
        for raw in (*earlier, *redacted["identifiers"]):
            key = raw_key(raw, registry)[0]
            if key is not None and key not in keys and (raw in earlier or key in keys_made_here):
                here.setdefault(key, raw)
        if here:
            redacted[mark] = list(here.values())
    for mark in (KEPT_HOLDS, KEPT_LINKS, KEPT_ANSWERS):
        pairs = links_without(redacted.pop(mark, ()), keys, registry)
        if pairs:
            redacted[mark] = pairs
    return compact_json(redacted)


def raw_key(raw: Any, registry: IdentifierRegistry) -> tuple[str | None, bool]:
    """The key of an identifier as a logged observation holds it (`{"type", "value"}`), and
    whether it is junk; (None, False) for anything the registry does not accept."""
    parsed = logged_identifier(raw, registry)
    return (None, False) if parsed is None else (parsed.identifier.key, parsed.junk)


def _names_erased(
    statement: Mapping[str, Any], keys: Collection[str], registry: IdentifierRegistry
) -> bool:
    """A statement names its identifier, or else applies to those the observation carries."""
    key, _ = raw_key(statement.get("identifier"), registry)
    return key is not None and key in keys


def unnamed_observation(observation_id: str) -> str:
    """How what named the removed observation `observation_id` names it after the erasure: by
    the fingerprint of its ID (`erased_fingerprint`), as the erased records keep it."""
    return f"erased observation {erased_fingerprint('observation', observation_id)}"


def unnamed_merge_entry(entry: AuditEntry, observation_id: str) -> AuditEntry:
    """A `merge` entry naming the removed observation `observation_id` by
    `unnamed_observation`."""
    named = unnamed_observation(observation_id)
    details = dict(entry.details)
    if "observation" in details:
        details["observation"] = named
    return replace(entry, subject=named, details=details)


def _anchor_went(
    item: Mapping[str, Any],
    keys: Collection[str],
    registry: IdentifierRegistry,
    quarantined: Collection[str],
) -> bool:
    """Whether the identifier a logged record linked every other through (the engine's anchor:
    the highest-priority one neither junk nor quarantined, else the highest-priority one not
    junk) is erased while two or more it could link stay: none of those was linked by it.
    `quarantined` may hold those the record quarantined at its links, after the engine
    picked the anchor: harmless, as a held link quarantines its lower end, never the anchor."""
    if item.get(UNLINKED) is True:
        return True  # an earlier erasure found so
    linkable: list[tuple[int, str]] = []
    for raw in item.get("identifiers", ()):
        key, junk = raw_key(raw, registry)
        if key is not None and not junk:
            linkable.append((-registry.priority(key.partition(":")[0]), key))
    if not linkable:
        return False
    open_ = [entry for entry in linkable if entry[1] not in quarantined]
    anchor = min(open_ or linkable)[1]
    return anchor in keys and sum(1 for _, key in linkable if key not in keys) >= 2


def mark_quarantined(
    payload: str, key: str, registry: IdentifierRegistry, at_link: bool = False
) -> str | None:
    """A logged record's text with `key`, which it carries, added to the identifiers it keeps
    as quarantined by it: at a link it held when `at_link` (`KEPT_LINK_QUARANTINES`), else
    before linking (`KEPT_QUARANTINES`); None when it does not carry `key` or marks it
    already."""
    item = json.loads(payload)
    if key in _kept_keys(item, KEPT_QUARANTINES, registry) | _kept_keys(
        item, KEPT_LINK_QUARANTINES, registry
    ):
        return None
    carried = [raw for raw in item.get("identifiers", ()) if raw_key(raw, registry)[0] == key]
    if not carried:
        return None
    mark = KEPT_LINK_QUARANTINES if at_link else KEPT_QUARANTINES
    item[mark] = [*item.get(mark, ()), carried[0]]
    return compact_json(item)


def mark_name_checked(
    payload: str, made: Collection[str], registry: IdentifierRegistry
) -> str | None:
    """A logged record's text marked to keep the outcome of its name check live
    (`KEPT_NAME_CHECK`): the identifiers in `made`, those it quarantined before linking, kept
    as quarantined by it (`KEPT_QUARANTINES`), and no others. None when it made no name
    check (no attributes, fewer than two identifiers it links) or is marked already."""
    item = json.loads(payload)
    if item.get(KEPT_NAME_CHECK) is True or item.get(UNLINKED) is True:
        return None
    if not item.get("attributes"):
        return None
    linkable: dict[str, Any] = {}
    for raw in item.get("identifiers", ()):
        key, junk = raw_key(raw, registry)
        if key is not None and not junk:
            linkable.setdefault(key, raw)
    if len(linkable) < 2:
        return None
    kept = _kept_keys(item, KEPT_QUARANTINES, registry)
    kept |= _kept_keys(item, KEPT_LINK_QUARANTINES, registry)
    added = [raw for key, raw in linkable.items() if key in made and key not in kept]
    if added:
        item[KEPT_QUARANTINES] = [*item.get(KEPT_QUARANTINES, ()), *added]
    item[KEPT_NAME_CHECK] = True
    return compact_json(item)


def _kept_keys(item: Mapping[str, Any], mark: str, registry: IdentifierRegistry) -> set[str]:
    """The keys a logged record keeps under `mark` (`KEPT_QUARANTINES`, ...)."""
    return {key for raw in item.get(mark, ()) if (key := raw_key(raw, registry)[0]) is not None}
