"""Identifiers: the typed, normalised keys that become nodes of the identity graph.

A raw `(type, value)` pair is parsed exactly once, at the boundary, by an `IdentifierRegistry`
into an `Identifier` whose value is normalised; nothing downstream normalises again.

    >>> registry = IdentifierRegistry.default()
    >>> registry.parse("email", "  Ann.Lee@Example.ORG ").key
    'email:ann.lee@example.org'
    >>> registry.is_junk(registry.parse("email", "test@test.com"))
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

import phonenumbers

from datora_graph.domain.errors import InvalidInput

MAX_VALUE_LENGTH = 256
_PARSE_CACHE_SIZE = 200_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TRAILING_BLANKS = " \t\r"
"""Trimmed before the control-character check: a CSV written with CRLF line ends, or a
spreadsheet cell with a stray tab, leaves them at the end of a value."""
_PLAIN_PHONE = re.compile(r"[0-9 ().\-]{1,64}")
_PHONE_PUNCTUATION = str.maketrans("", "", " ().-")
_PHONE_CACHE_SIZE = 262_144


@dataclass(frozen=True, slots=True, order=True)
class Identifier:
    """A normalised identifier; `key` (`type:value`) is its identity everywhere."""

    type: str
    value: str
    key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Computed once: the key is read on every step of resolution.
        object.__setattr__(self, "key", f"{self.type}:{self.value}")

    @classmethod
    def from_key(cls, key: str) -> Identifier:
        type_, sep, value = key.partition(":")
        if not sep or not type_ or not value:
            raise InvalidInput("identifier", f"{key!r} is not of the form type:value")
        return cls(type_, value)


Normaliser = Callable[[str], str]
"""Turns a trimmed raw value into its canonical form, or raises ValueError with the reason."""


def normalise_email(raw: str) -> str:
    value = raw.strip().lower()
    while value.startswith("mailto:"):  # each one: `mailto:mailto:a@b.io` is `a@b.io` too
        value = value[len("mailto:") :]
    if not _EMAIL.match(value):
        raise ValueError(f"{raw!r} is not an email address (expected local@domain.tld)")
    return value


def phone_normaliser(default_region: str) -> Normaliser:
    """Phones become E.164; numbers without a country code are read in `default_region`.

    Parsing and validating a number costs tens of microseconds, and bulk data writes one
    number in many ways (`(415) 555-2671`, `415.555.2671`, `+1 415 555 2671`), so numbers are
    remembered by their digits (with the leading `+` kept apart), which is all `phonenumbers`
    reads of a value made only of digits, spaces, `-`, `.` and parentheses."""
    known: dict[str, str] = {}

    def normalise_phone(raw: str) -> str:
        text = raw.strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        key = _phone_key(text)
        if key is not None:
            found = known.get(key)
            if found is not None:
                return found
        try:
            number = phonenumbers.parse(text, default_region)
        except phonenumbers.NumberParseException as exc:
            raise ValueError(f"{raw!r} is not a phone number ({exc})") from None
        if not phonenumbers.is_valid_number(number):
            hint = (
                f"no +{number.country_code} number has that form: check its digits"
                if text.startswith("+")
                else f"numbers without a +country code are read as {default_region}"
            )
            raise ValueError(f"{raw!r} is not a valid phone number ({hint})")
        value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if key is not None:
            if len(known) >= _PHONE_CACHE_SIZE:
                known.clear()
            known[key] = value
        return value

    # The name says the region: the key rules a store keeps (key_rules.py) tell regions apart.
    normalise_phone.__name__ = f"normalise_phone_{default_region}"
    return normalise_phone


def _phone_key(text: str) -> str | None:
    """The digits of a plainly written number, `+` first when it has one; None otherwise."""
    plus = text.startswith("+")
    body = text[1:] if plus else text
    if not _PLAIN_PHONE.fullmatch(body):
        return None
    digits = body.translate(_PHONE_PUNCTUATION)
    return "+" + digits if plus else digits


def normalise_device_id(raw: str) -> str:
    """Device IDs are trimmed; UUID-shaped ones (IDFA, GAID) compare case-insensitively."""
    value = normalise_plain_id(raw)
    return value.lower() if _UUID.match(value) else value


def normalise_plain_id(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValueError("is empty")
    return value


def normalise_lower_id(raw: str) -> str:
    return normalise_plain_id(raw).lower()


NORMALISERS: Mapping[str, Normaliser] = {
    "email": normalise_email,
    "id": normalise_plain_id,
    "lower": normalise_lower_id,
    "device_id": normalise_device_id,
}
"""Normalisers a configured identifier type may name; `phone` is added per region."""

_NULLISH = frozenset({"null", "none", "undefined", "unknown", "n/a", "na", "nil", "-", "0"})

BUILTIN_JUNK: Mapping[str, frozenset[str]] = {
    "email": frozenset(
        {
            "test@test.com",
            "test@example.com",
            "example@example.com",
            "email@email.com",
            "a@a.com",
            "a@b.com",
            "abc@abc.com",
            "asdf@asdf.com",
            "none@none.com",
            "no@email.com",
            "noemail@noemail.com",
            "noemail@email.com",
            "null@null.com",
            "na@na.com",
            "user@example.com",
            "customer@example.com",
            "unknown@unknown.com",
            "noreply@noreply.com",
        }
    ),
    "phone": frozenset({"0000000000", "1234567890", "0123456789", "9999999999"}),
    "device_id": frozenset({"00000000-0000-0000-0000-000000000000", "0000000000000000"} | _NULLISH),
    "cookie_id": _NULLISH,
    "crm_id": _NULLISH,
    "user_id": _NULLISH | {"anonymous", "guest"},
}
"""Values seen in real data that identify nobody: typed by agents, defaulted by SDKs."""

_RESERVED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True, slots=True)
class IdentifierType:
    """What Datora Graph knows about one kind of identifier.

    `limit` is how many identifiers of this type one profile may hold (None: no limit);
    `priority` ranks types when a link must be chosen or refused (higher is more trusted).
    """

    name: str
    normalise: Normaliser
    limit: int | None = None
    priority: int = 50
    junk: frozenset[str] = field(default_factory=frozenset)

    def is_junk(self, value: str) -> bool:
        if value in self.junk:
            return True
        if self.name == "email":
            domain = value.rpartition("@")[2]
            return domain in _RESERVED_EMAIL_DOMAINS
        if self.name == "phone":
            digits = value.lstrip("+")
            return len(set(digits)) == 1 or digits in self.junk
        if self.name == "device_id":
            stripped = value.replace("-", "")
            return bool(stripped) and set(stripped) == {"0"}
        return False


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """The bounds the resolution guards hold, beyond each type's limit.

    `hub_max_profiles`: an identifier may join at most this many existing profiles (its own
    included); the link that would join one more is held and the identifier quarantined.
    `max_profile_identifiers`: a merge that would give a profile more identifiers is held.
    `name_conflicts`: an identifier that a record ties to a profile whose first names all
    disagree with the record's is quarantined (see resolution/name_conflicts.py).
    """

    hub_max_profiles: int = 3
    max_profile_identifiers: int = 50
    name_conflicts: bool = True


@dataclass(frozen=True, slots=True)
class ParsedIdentifier:
    identifier: Identifier
    junk: bool


class IdentifierRegistry:
    """Parses raw identifiers and answers what the engine asks of a type (limit, priority, junk)."""

    def __init__(self, types: Iterable[IdentifierType]) -> None:
        self._types = {t.name: _with_normalised_junk(t) for t in types}
        self._parsed: dict[tuple[str, str], ParsedIdentifier] = {}

    @classmethod
    def default(cls, default_region: str = "US") -> IdentifierRegistry:
        return cls(builtin_types(default_region))

    @property
    def types(self) -> Mapping[str, IdentifierType]:
        return self._types

    def __getitem__(self, name: str) -> IdentifierType:
        return self._types[name]

    def parse(self, type_name: str, raw: str) -> Identifier:
        return self.parse_with_junk(type_name, raw).identifier

    def parse_with_junk(self, type_name: str, raw: object, field: str = "") -> ParsedIdentifier:
        """Normalise and validate one raw identifier; raises InvalidInput naming `field`.

        Successful parses are remembered (bulk data repeats the same raw values again and
        again, and a phone number costs tens of microseconds to parse)."""
        if type(type_name) is str and type(raw) is str:
            known = self._parsed.get((type_name, raw))
            if known is not None:
                return known
        parsed = self._parse_uncached(type_name, raw, field)
        if len(self._parsed) >= _PARSE_CACHE_SIZE:
            self._parsed.clear()
        self._parsed[(type_name, raw)] = parsed  # type: ignore[index]
        return parsed

    def _parse_uncached(self, type_name: str, raw: object, field: str) -> ParsedIdentifier:
        prefix = f"{field}." if field else ""
        id_type = self._types.get(type_name) if isinstance(type_name, str) else None
        if id_type is None:
            known = ", ".join(sorted(self._types))
            raise InvalidInput(
                f"{prefix}type", f"unknown identifier type {type_name!r} (known: {known})"
            )
        if not isinstance(raw, str):
            raise InvalidInput(f"{prefix}value", f"must be a string, got {type(raw).__name__}")
        if len(raw) > MAX_VALUE_LENGTH:
            raise InvalidInput(f"{prefix}value", f"is longer than {MAX_VALUE_LENGTH} characters")
        trimmed = raw.rstrip(_TRAILING_BLANKS)
        if _CONTROL.search(trimmed):
            raise InvalidInput(f"{prefix}value", "contains control characters")
        trimmed = trimmed.strip()
        junk_form = _junk_form(id_type, trimmed)
        if junk_form is not None:
            return ParsedIdentifier(Identifier(id_type.name, junk_form), junk=True)
        try:
            value = id_type.normalise(trimmed)
        except ValueError as exc:
            raise InvalidInput(f"{prefix}value", f"{type_name} {exc}") from None
        return ParsedIdentifier(Identifier(id_type.name, value), junk=id_type.is_junk(value))

    def is_junk(self, identifier: Identifier) -> bool:
        id_type = self._types.get(identifier.type)
        return id_type is not None and id_type.is_junk(identifier.value)

    def limit(self, type_name: str) -> int | None:
        id_type = self._types.get(type_name)
        return None if id_type is None else id_type.limit

    def priority(self, type_name: str) -> int:
        id_type = self._types.get(type_name)
        return 0 if id_type is None else id_type.priority

    def limits(self) -> dict[str, int]:
        return {name: t.limit for name, t in self._types.items() if t.limit is not None}


def _with_normalised_junk(id_type: IdentifierType) -> IdentifierType:
    """Junk values as configured, plus the form the type's normaliser gives them, so a junk
    phone written `(415) 555-0000` matches `+14155550000` however a client writes it.
    Values the normaliser refuses stay as written: `_junk_form` matches those."""
    extra: set[str] = set()
    for value in id_type.junk:
        try:
            extra.add(id_type.normalise(value))
        except ValueError:
            continue
    if extra <= id_type.junk:
        return id_type
    return replace(id_type, junk=id_type.junk | extra)


def _junk_form(id_type: IdentifierType, trimmed: str) -> str | None:
    """Junk values are recorded even where they would fail validation (a phone of `0000000000`),
    so an observation that carries one is still accepted; this is the form they are kept in."""
    if id_type.name == "phone":
        digits = re.sub(r"\D", "", trimmed)
        if digits in id_type.junk or (len(digits) >= 6 and len(set(digits)) == 1):
            return digits
        return None
    folded = trimmed.lower()
    if folded in id_type.junk or (id_type.name == "device_id" and id_type.is_junk(folded)):
        return folded
    return None


def builtin_types(default_region: str = "US") -> list[IdentifierType]:
    return [
        IdentifierType("crm_id", normalise_plain_id, 1, 100, BUILTIN_JUNK["crm_id"]),
        IdentifierType("user_id", normalise_plain_id, 1, 90, BUILTIN_JUNK["user_id"]),
        IdentifierType("email", normalise_email, None, 80, BUILTIN_JUNK["email"]),
        IdentifierType("phone", phone_normaliser(default_region), None, 70, BUILTIN_JUNK["phone"]),
        IdentifierType("device_id", normalise_device_id, None, 30, BUILTIN_JUNK["device_id"]),
        IdentifierType("cookie_id", normalise_plain_id, None, 20, BUILTIN_JUNK["cookie_id"]),
    ]


def valid_type_name(name: str) -> bool:
    return bool(_TYPE_NAME.match(name))


def logged_identifier(raw: object, registry: IdentifierRegistry) -> ParsedIdentifier | None:
    """An identifier as a logged record holds it (`{"type", "value"}` as sent, in its list of
    identifiers or in a mark an erasure wrote), parsed under the current settings; None for
    one they no longer accept, or for an entry that is not such an object."""
    if not isinstance(raw, Mapping) or "type" not in raw or "value" not in raw:
        return None
    try:
        return registry.parse_with_junk(str(raw["type"]), str(raw["value"]))
    except InvalidInput:
        return None
