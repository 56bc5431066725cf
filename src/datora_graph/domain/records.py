"""Observations and events: their wire format, and parsing it into domain records.

The wire format (JSON) of an observation:

    {"id": "crm-42", "source": "crm", "observed_at": "2026-05-01T10:00:00Z",
     "identifiers": [{"type": "email", "value": "Ann@Example.org"}],
     "attributes": {"first_name": "Ann"}}

and of an event:

    {"id": "ev-1", "type": "purchase", "occurred_at": "2026-05-01T10:05:00Z",
     "source": "shop", "identifiers": [{"type": "cookie_id", "value": "c-1"}],
     "properties": {"revenue": 42.5}}

Parsing raises `InvalidInput` whose field names the bad part, e.g. `identifiers[1].value`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from math import isfinite
from typing import Annotated, Any, Literal, NoReturn, TypeGuard, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from datora_graph.domain.consent import ConsentStatement, parse_observation_consent
from datora_graph.domain.errors import InvalidInput, json_kind, shown
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry, logged_identifier
from datora_graph.domain.kept_holds import KEPT_HOLDS, KeptHold, kept_holds
from datora_graph.domain.kept_links import KEPT_ANSWERS, KEPT_LINKS, KeptLink, kept_links
from datora_graph.domain.moments import in_calendar, not_after, time_text
from datora_graph.domain.moments import iso as iso  # re-exported: most callers import it here
from datora_graph.domain.moments import utc as utc
from datora_graph.domain.reasons import pydantic_reason
from datora_graph.domain.record_marks import (  # re-exported: callers import them here
    ATTRIBUTES_REDACTED as ATTRIBUTES_REDACTED,
)
from datora_graph.domain.record_marks import KEPT_JOINS as KEPT_JOINS
from datora_graph.domain.record_marks import KEPT_LINK_QUARANTINES as KEPT_LINK_QUARANTINES
from datora_graph.domain.record_marks import KEPT_NAME_CHECK as KEPT_NAME_CHECK
from datora_graph.domain.record_marks import KEPT_QUARANTINE_REASON as KEPT_QUARANTINE_REASON
from datora_graph.domain.record_marks import KEPT_QUARANTINES as KEPT_QUARANTINES
from datora_graph.domain.record_marks import UNLINKED as UNLINKED

_Model = TypeVar("_Model", bound=BaseModel)

STANDARD_ATTRIBUTES = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "street",
    "city",
    "postcode",
    "state",
    "country",
)
MAX_ID_LENGTH = 256
MAX_IDENTIFIERS = 50
MAX_NAME_LENGTH = 100
NAME = re.compile(r'^[^"\\\x00-\x1f\x7f]+$')
"""What an attribute, an event property or an event type may be called: 1-100 characters
without quotes, backslashes or control characters, which is what a segment condition can name
(and what every store can keep as a property key)."""
MAX_NESTING = 32
MAX_REVENUE = 10**12
"""The largest numeric `revenue` one event may carry, either sign: enough for any order in any
currency, and so far below what 64-bit cents hold that a profile's or a day's sum overflows
only past 92,000 orders of that size."""
"""How deep an attribute or event property may nest lists and objects: every reader (REST,
GraphQL, exports) must be able to write a stored value back, and JSON writers stop at some
depth (orjson at 255, pydantic's responses sooner)."""


def standard_attributes(attributes: Collection[str]) -> int:
    """How many of the standard attributes `attributes` (names, or a mapping by name) holds:
    the attribute half of the data-quality trait, which a store may keep beside a profile."""
    return sum(1 for name in STANDARD_ATTRIBUTES if name in attributes)


def _wire_time(value: object) -> object:
    """A time field takes ISO 8601 text only (`time_text`); pydantic alone would also read a
    number as Unix epoch seconds."""
    return value if isinstance(value, datetime) else time_text(value)


WireTime = Annotated[datetime, BeforeValidator(_wire_time)]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(min_length=1, max_length=40)
    value: str


class ObservationIn(BaseModel):
    """One record from a source: identifiers seen together, plus attributes."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    source: str = Field(min_length=1, max_length=100)
    observed_at: WireTime
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    attributes: dict[str, Any] = Field(default_factory=dict)
    consent: Any = None
    """Checked by `parse_observation_consent` on either path, after the rest."""


class EventIn(BaseModel):
    """A behavioural event carrying the identifiers it was recorded under."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    type: str = Field(min_length=1, max_length=100)
    occurred_at: WireTime
    source: str = Field(min_length=1, max_length=100)
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    properties: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Observation:
    """A parsed, normalised observation; `seq` is its position in the observation log."""

    id: str
    source: str
    observed_at: datetime
    identifiers: tuple[Identifier, ...]
    junk: frozenset[Identifier]
    attributes: Mapping[str, Any]
    raw: str
    seq: int = 0
    consent: tuple[ConsentStatement, ...] = ()
    """Statements of the optional `consent` list, recorded when the observation is accepted."""
    quarantines: tuple[Identifier, ...] = ()
    """Identifiers this logged record quarantined live before linking (a name conflict), from
    what an erasure removed of it (`KEPT_QUARANTINES`): a replay quarantines them here again,
    before it links anything."""
    link_quarantines: tuple[Identifier, ...] = ()
    """As `quarantines`, for those a link it held quarantined live (`KEPT_LINK_QUARANTINES`):
    a replay quarantines each at its link, so they are open to the name check before."""
    joins: tuple[Identifier, ...] = ()
    """Identifiers this logged record counted a join for towards the hub bound, through an
    identifier an erasure removed of it (`KEPT_JOINS`): a replay counts them here again."""
    unlinked: bool = False
    """The identifier it linked the others through went with an erased person (`UNLINKED`):
    a replay links nothing of it, as nothing of what is left was linked by it live."""
    holds: tuple[KeptHold, ...] = ()
    """Links this logged record held live that an erasure keeps held (`KEPT_HOLDS`): what made
    the guard refuse them may have gone with the erased person."""
    name_checked: bool = False
    """An erasure keeps the outcome of this logged record's name check live (`KEPT_NAME_CHECK`):
    it quarantines before linking what `quarantines` lists, possibly nothing, and a replay
    looks for no name conflict of its own: the profiles it met may be ones the erased person's
    identifiers had joined."""
    attributes_redacted: bool = False
    """A redaction took every attribute out of this logged record (`ATTRIBUTES_REDACTED`):
    live, folding them in dated the profile's last update, so a replay dates it so still."""
    links: tuple[KeptLink, ...] = ()
    """Links this logged record made active live inside one profile the erased person had
    joined (`KEPT_LINKS`): a replay makes them active with no guard asked."""
    answers: tuple[KeptLink, ...] = ()
    """Review items (their ends) this logged record answered live by joining the ends'
    profiles through an erased person (`KEPT_ANSWERS`): a replay merges them here too, after
    its links, so the item is answered by this record as live. The ends need not be carried."""

    def with_seq(self, seq: int) -> Observation:
        return Observation(
            self.id,
            self.source,
            self.observed_at,
            self.identifiers,
            self.junk,
            self.attributes,
            self.raw,
            seq,
            self.consent,
            self.quarantines,
            self.link_quarantines,
            self.joins,
            self.unlinked,
            self.holds,
            self.name_checked,
            self.attributes_redacted,
            self.links,
            self.answers,
        )


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    occurred_at: datetime
    source: str
    identifiers: tuple[Identifier, ...]
    properties: Mapping[str, Any]


RecordKind = Literal["observation", "event"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """An item that was not accepted, kept with the reason so a person can fix and resend it."""

    kind: RecordKind
    item_id: str | None
    field: str
    reason: str
    payload: str
    received_at: datetime

    @property
    def fingerprint(self) -> str:
        """Same kind and payload: the same rejection, recorded once however often it is resent."""
        return hashlib.blake2b(
            f"{self.kind}\x1f{self.payload}".encode(), digest_size=16
        ).hexdigest()


REPLAY_REJECTION_PREFIX = "no longer valid under the "
"""How the reason of a rejection made by replaying the log (a rebuild, a migration) begins, and
no reason given at ingest does: such a rejection is derived from the log and the settings, so a
rebuild forgets it (`GraphStore.reset_derived`) and makes it again only if the record is still
invalid."""


def replay_rejection(payload: str, error: InvalidInput, settings: str, now: datetime) -> Rejection:
    """A logged observation (`payload`) a replay found invalid under `settings` ("current",
    "target's"); the log keeps it, so a later rebuild under other settings may accept it."""
    reason = f"{REPLAY_REJECTION_PREFIX}{settings} settings: {error.reason}"
    item_id = item_id_of(json.loads(payload))
    return Rejection("observation", item_id, error.field, reason, payload, now)


def from_iso(text: str) -> datetime:
    """The inverse of `iso`."""
    return datetime.fromisoformat(text)


def parse_observation(
    raw: Mapping[str, Any] | Any,
    registry: IdentifierRegistry,
    text: str | None = None,
    *,
    latest: datetime | None = None,
) -> Observation:
    """`text`, when given, is the JSON text `raw` was decoded from (a line of a file): the log
    keeps it as it is instead of encoding `raw` again. `latest`, when given, is the latest
    time the observation and its consent may carry (None when replaying the log)."""
    fast = _fast_fields(raw, _OBSERVATION_FIELDS, "observed_at", "attributes")
    if fast is None:
        model = _validate(ObservationIn, raw)
        fast = (model.id, model.source, model.observed_at, model.identifiers, model.attributes)
    item_id, source, observed_at, items, attributes = fast
    identifiers, junk = _parse_identifiers(items, registry)
    source = _not_blank("source", source)
    observed_at = not_after("observed_at", in_calendar("observed_at", observed_at), latest)
    stated = raw.get("consent") if isinstance(raw, Mapping) else None
    return Observation(
        item_id,
        source,
        observed_at,
        identifiers,
        junk,
        _clean_attributes(attributes),
        text.strip(_JSON_WHITESPACE)
        if text is not None
        else json.dumps(raw, separators=(",", ":"), ensure_ascii=False, default=str),
        consent=()
        if stated is None
        else tuple(
            parse_observation_consent(
                stated, identifiers, source.strip(), observed_at, registry, latest=latest
            )
        ),
    )


def parse_logged_observation(payload: str, registry: IdentifierRegistry, seq: int) -> Observation:
    """A logged observation (`payload`, at log position `seq`) as a replay reads it;
    InvalidInput when it is no longer valid under the current settings."""
    raw = json.loads(payload)
    quarantines = raw.pop(KEPT_QUARANTINES, None) if isinstance(raw, dict) else None
    at_links = raw.pop(KEPT_LINK_QUARANTINES, None) if isinstance(raw, dict) else None
    joins = raw.pop(KEPT_JOINS, None) if isinstance(raw, dict) else None
    unlinked = raw.pop(UNLINKED, None) is True if isinstance(raw, dict) else False
    holds = raw.pop(KEPT_HOLDS, None) if isinstance(raw, dict) else None
    checked = raw.pop(KEPT_NAME_CHECK, None) is True if isinstance(raw, dict) else False
    redacted = raw.pop(ATTRIBUTES_REDACTED, None) is True if isinstance(raw, dict) else False
    links = raw.pop(KEPT_LINKS, None) if isinstance(raw, dict) else None
    answers = raw.pop(KEPT_ANSWERS, None) if isinstance(raw, dict) else None
    observation = parse_observation(raw, registry, payload).with_seq(seq)
    marks = (quarantines, at_links, joins, unlinked, holds, checked, redacted, links, answers)
    if not any(marks):
        return observation
    return replace(
        observation,
        quarantines=_kept_identifiers(quarantines or (), registry),
        link_quarantines=_kept_identifiers(at_links or (), registry),
        joins=_kept_identifiers(joins or (), registry),
        unlinked=unlinked,
        holds=kept_holds(holds, registry),
        name_checked=checked,
        attributes_redacted=redacted,
        links=kept_links(links, registry),
        answers=kept_links(answers, registry),
    )


def _kept_identifiers(items: Sequence[Any], registry: IdentifierRegistry) -> tuple[Identifier, ...]:
    # None: a type or value the current settings no longer accept
    parsed = (logged_identifier(item, registry) for item in items)
    return tuple(p.identifier for p in parsed if p is not None)


def parse_event(
    raw: Mapping[str, Any] | Any, registry: IdentifierRegistry, *, latest: datetime | None = None
) -> Event:
    """As `parse_observation`, for an event."""
    fast = _fast_fields(raw, _EVENT_FIELDS, "occurred_at", "properties")
    if fast is None or not _is_name(raw.get("type")):
        model = _validate(EventIn, raw)
        fast = (model.id, model.source, model.occurred_at, model.identifiers, model.properties)
        type_name = model.type
    else:
        type_name = raw["type"]
    item_id, source, occurred_at, items, properties = fast
    identifiers, _ = _parse_identifiers(items, registry)
    for name, value in properties.items():
        _named("properties", name)
        if type(value) in (dict, list):
            _within_nesting(f"properties.{name}", value)
        elif type(value) is float and not isfinite(value):
            _not_finite(f"properties.{name}", value)
    revenue = properties.get("revenue")
    if isinstance(revenue, int | float) and not -MAX_REVENUE <= revenue <= MAX_REVENUE:
        raise InvalidInput(
            "properties.revenue",
            f"must be between -{MAX_REVENUE:,} and {MAX_REVENUE:,}, got {shown(revenue)}",
        )
    _named("type", type_name)
    return Event(
        item_id,
        _not_blank("type", type_name),
        not_after("occurred_at", in_calendar("occurred_at", occurred_at), latest),
        _not_blank("source", source),
        identifiers,
        properties,
    )


def _not_blank(field: str, value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(field, "is blank")
    return stripped


_JSON_WHITESPACE = " \t\r\n"
_OBSERVATION_FIELDS = frozenset(ObservationIn.model_fields)
_EVENT_FIELDS = frozenset(EventIn.model_fields)
_FastFields = tuple[str, str, datetime, Sequence[Any], dict[str, Any]]


def _fast_fields(
    raw: object, allowed: frozenset[str], time_field: str, extra_field: str
) -> _FastFields | None:
    """The fields of a well-formed item without a pydantic model, which costs more than the
    rest of ingest together. Anything unusual returns None and takes the pydantic path,
    which accepts the same items and explains what is wrong with the others."""
    if type(raw) is not dict or not raw.keys() <= allowed:
        return None
    item_id, source, moment = raw.get("id"), raw.get("source"), raw.get(time_field)
    items, extra = raw.get("identifiers"), raw.get(extra_field, {})
    if not (_is_name(item_id, MAX_ID_LENGTH) and _is_name(source) and type(moment) is str):
        return None
    if type(items) is not list or not 0 < len(items) <= MAX_IDENTIFIERS or type(extra) is not dict:
        return None
    for item in items:
        if type(item) is not dict or item.keys() != _IDENTIFIER_FIELDS:
            return None
        if not (_is_name(item["type"], 40) and type(item["value"]) is str):
            return None
    if not _PLAIN_TIMESTAMP.fullmatch(moment):
        return None
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return item_id, source, parsed, items, extra


_IDENTIFIER_FIELDS = frozenset({"type", "value"})
_PLAIN_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
"""The timestamps `datetime.fromisoformat` and the pydantic model read alike; anything else
(`2026-05-01T10`, `20260501T100000`, week dates, a `+02` offset) takes the pydantic path,
which accepts or refuses it the way the wire format promises."""


def _is_name(value: object, max_length: int = 100) -> TypeGuard[str]:
    return type(value) is str and 0 < len(value) <= max_length


def item_id_of(raw: object) -> str | None:
    """The `id` a client gave an item, if it gave a usable one, for the rejection record."""
    if isinstance(raw, Mapping):
        value = raw.get("id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)[:MAX_ID_LENGTH]
    return None


class UnreadableLine(str):
    """A line of a file that is no JSON item, as its text (so it is listed, and written back
    by `datora rejected --payloads`), with the reason the reader found."""

    reason: str
    field: str
    """Where in the line, when the reader could tell (a key given twice); else ''."""

    def __new__(cls, text: str, reason: str, field: str = "") -> UnreadableLine:
        line = super().__new__(cls, text.rstrip("\r\n"))
        line.reason = reason
        line.field = field
        return line


def _validate(model: type[_Model], raw: object) -> _Model:
    if isinstance(raw, UnreadableLine):
        raise InvalidInput(raw.field, raw.reason)
    if isinstance(raw, str):
        raise InvalidInput(
            "", "is text, not a JSON object (a line that is not valid JSON arrives as text)"
        )
    if not isinstance(raw, Mapping):
        raise InvalidInput("", f"must be a JSON object, got {json_kind(raw)}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InvalidInput(field_path(error["loc"]), pydantic_reason(error)) from None


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a field name: `("identifiers", 1, "value")` →
    `identifiers[1].value`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def encodable(text: str) -> bool:
    """Whether `text` holds no lone UTF-16 surrogate (see `lone_surrogate`): only then can
    a store, or any encoder, take it."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _parse_identifiers(
    items: Sequence[Any], registry: IdentifierRegistry
) -> tuple[tuple[Identifier, ...], frozenset[Identifier]]:
    """Items are `IdentifierIn` models or plain dicts already checked by `_fast_fields`."""
    seen: dict[Identifier, None] = {}
    junk: set[Identifier] = set()
    for index, item in enumerate(items):
        type_name, value = (
            (item["type"], item["value"])
            if type(item) is dict
            else (
                item.type,
                item.value,
            )
        )
        parsed = registry.parse_with_junk(type_name, value, field=f"identifiers[{index}]")
        seen[parsed.identifier] = None
        if parsed.junk:
            junk.add(parsed.identifier)
    return tuple(seen), frozenset(junk)


def _clean_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Standard attributes are cleaned text (`_standard_attribute`); empty ones mean absent.
    Any other attribute is kept as given."""
    cleaned: dict[str, Any] = {}
    for name, value in attributes.items():
        _named("attributes", name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name in STANDARD_ATTRIBUTES:
            value = _standard_attribute(name, value)
        elif type(value) in (dict, list):
            _within_nesting(f"attributes.{name}", value)
        elif type(value) is float and not isfinite(value):
            _not_finite(f"attributes.{name}", value)
        cleaned[name] = value
    return cleaned


def _standard_attribute(name: str, value: object) -> str:
    """A standard attribute as text, trimmed with inner runs of blanks made one (`country` in
    upper case). A number or true/false is taken as its JSON text (`5` → "5", `true` →
    "true"), as a CSV column would hold it; a list or an object is refused. `birth_date` is
    `YYYY-MM-DD` text only: a number such as 19900401 is refused, not read as a date."""
    field = f"attributes.{name}"
    if name == "birth_date":
        if type(value) is not str:
            raise InvalidInput(
                field,
                f'must be a date as text, YYYY-MM-DD such as "1990-04-01", got {json_kind(value)}',
            )
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise InvalidInput(field, f"{value.strip()!r} is not a date (YYYY-MM-DD)") from None
    if type(value) is float and not isfinite(value):
        _not_finite(field, value)
    if type(value) in (bool, int, float):
        value = json.dumps(value)
    elif type(value) is not str:
        raise InvalidInput(field, f"must be text, got {json_kind(value)}")
    text = " ".join(value.split())
    return text.upper() if name == "country" else text


def _named(field: str, name: str) -> None:
    if name not in _NAMES_SEEN:
        if len(name) > MAX_NAME_LENGTH or not NAME.match(name):
            raise InvalidInput(
                field,
                f"{shown(name, 42)} is not a name: 1-{MAX_NAME_LENGTH} characters without quotes, "
                "backslashes or control characters",
            )
        if len(_NAMES_SEEN) < _NAMES_REMEMBERED:
            _NAMES_SEEN.add(name)


_NAMES_SEEN: set[str] = set()
"""Names already found good: the same few come with every item."""
_NAMES_REMEMBERED = 10_000


def _within_nesting(field: str, value: dict[str, Any] | list[Any]) -> None:
    """Refuse a value nesting lists and objects deeper than MAX_NESTING, or holding a number
    JSON cannot write (walked without recursion, so a value of any depth gets an answer)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_NESTING:
            raise InvalidInput(field, f"nests lists and objects more than {MAX_NESTING} deep")
        for child in node.values() if type(node) is dict else node:
            if type(child) in (dict, list):
                pending.append((child, depth + 1))
            elif type(child) is float and not isfinite(child):
                _not_finite(field, child)


def _not_finite(field: str, value: float) -> NoReturn:
    """NaN and ±Infinity: Python's JSON reader takes them, but JSON has no such numbers, so
    no store or reader could take the value back."""
    raise InvalidInput(field, f"holds {value!r}, which is not a JSON number (NaN or Infinity)")
