"""Where an erased person's identifier values are still written in the free fields of others'
records: an observation's attributes (`"referrer_email": "ann@acme.io"`) or an event's
properties (`"gift_to": "+14155550101"`), and the steward decisions that snapshotted such an
attribute in a profile (its golden value or a candidate: `snapshot_fields`). An erasure does
not rewrite those (they are someone else's data: a person decides what to do with them) but
reports them (`MentionPage`); a redaction of the record scrubs the decisions too.

The rule: a value is mentioned by a field when a string or number inside the field's value
(nested ones included) contains it, ignoring case. Only decoded values are compared, never the
JSON text, so a value cannot match across quotes, a colon or a key name. Values shorter than
`MIN_MENTION_LENGTH` characters are skipped: `C-1` or `12345` would match everywhere.

The stores narrow the records first with a cheap substring test over the lower-cased stored
JSON text (`search_terms`, `mention_filter`), then apply the rule here (`mentioned_fields`). The
test must be a superset of the rule, and the stored text is JSON as a client may have sent it
(a file's line is logged as it is): any character may be written as a `\\u` escape, in either
case of its hex digits, and no part of a value is sure to be written as itself. So a record is
a candidate when its text holds a value, or the escape of a character of a value in any letter
case that lower-cases to it: one without either cannot hold the value in a decoded string.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from datora_graph.domain.pii import json_leaves
from datora_graph.domain.steward import Decision

MIN_MENTION_LENGTH = 6
"""Shorter values are not looked for: they would name records that do not mean the person."""

MENTION_PAGE_ROWS = 2000
"""How many records a store reads at a time looking for mentions: each page is a read of its
own, bounded by the store's read timeout however long the log grows."""

MentionKind = Literal["observation", "event", "decision"]


@dataclass(frozen=True, slots=True)
class Mention:
    """A record of someone else whose `fields` (attribute or property names; a decision's
    snapshot attribute names) hold a value. Names the record and the fields, never the value:
    the report must not repeat it."""

    kind: MentionKind
    record_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MentionPage:
    """The first mentions found (observations in log order, then events by ID, then steward
    decisions in the order made) and how many there are in all."""

    items: tuple[Mention, ...] = ()
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        """As the REST answer and `datora erase` print it: `{total, items: [{kind, id,
        fields}]}`."""
        return {
            "total": self.total,
            "items": [
                {"kind": m.kind, "id": m.record_id, "fields": list(m.fields)} for m in self.items
            ],
        }


MENTIONS_SEARCH = "mentions_search"
"""The detail of an erasure's audit entry telling where its search for mentions stands:
`pending` from the erasure's own transaction on, `done` beside the count (`MENTIONS_LEFT`) once
the search has ended, `failed` when it failed. One still `pending` after its erasure answered
was never counted (the process stopped in between), and cannot be: the values went with the
person. (An entry written before this detail has the count alone.)"""

MENTIONS_LEFT = "mentions_left"


def pending_mentions() -> dict[str, object]:
    """The details an erasure's entry is written with, in the erasure's transaction."""
    return {MENTIONS_SEARCH: "pending"}


def counted_mentions(page: MentionPage) -> dict[str, object]:
    """The details an erasure's entry gets once its search has ended."""
    return {MENTIONS_SEARCH: "done", MENTIONS_LEFT: page.total}


def failed_mentions() -> dict[str, object]:
    """The details an erasure's entry gets when its search failed (if the store takes them)."""
    return {MENTIONS_SEARCH: "failed"}


def mentions_told(details: Mapping[str, object]) -> str | None:
    """What an audit entry says of its erasure's search for mentions, in words for a listing;
    None for an entry that says nothing of one (another action)."""
    state = details.get(MENTIONS_SEARCH)
    left = details.get(MENTIONS_LEFT)
    if state == "pending":
        return "not counted: the search had not ended (one never ended if this stays)"
    if state == "failed":
        return "not counted: the search failed"
    if not isinstance(left, int) or isinstance(left, bool):
        return None
    if left == 0:
        return "no record of others mentions an erased value"
    if left == 1:
        return "1 record of others still mentions an erased value"
    return f"{left} records of others still mention an erased value"


def mention_values(values: Iterable[str]) -> tuple[str, ...]:
    """The values worth looking for: trimmed, lower-cased, at least `MIN_MENTION_LENGTH`
    characters, each once, sorted."""
    return tuple(
        sorted({v.strip().lower() for v in values if len(v.strip()) >= MIN_MENTION_LENGTH})
    )


def search_terms(values: Iterable[str]) -> list[str]:
    """What a store looks for in the lower-cased stored JSON text to find every record the
    rule could match (a record holding none of them cannot): each value, and every escape
    that could stand for one of its characters (`escapes_of`)."""
    terms: set[str] = set()
    for value in mention_values(values):
        terms.add(value)
        for char in value:
            terms.update(escapes_of(char))
    return sorted(terms)


def mention_filter(terms: Collection[str]) -> Callable[[str], bool]:
    """The stores' first filter in Python: whether a stored JSON text holds one of `terms`
    (`search_terms`), ignoring case as the rule does, for all of Unicode. A text with a
    backslash is read for its escapes once, each looked up among those of the terms (half a
    surrogate pair stands for its pair: a superset still)."""
    plain = [term for term in terms if not term.startswith("\\")]
    escapes = {part for term in terms if term.startswith("\\") for part in _ESCAPE.findall(term)}

    def could_mention(text: str) -> bool:
        lowered = text.lower()
        if any(term in lowered for term in plain):
            return True
        return "\\" in text and any(e in escapes for e in _ESCAPE.findall(lowered))

    return could_mention


_ESCAPE = re.compile(r'\\(?:u[0-9a-f]{4}|["\\/bfnrt])')
"""One escape of a lower-cased JSON text, read left to right (so `\\\\u0040` is an escaped
backslash and the letters `u0040`)."""

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n"}
_SHORT_ESCAPES |= {"\r": "\\r", "\t": "\\t"}


def escapes_of(char: str) -> set[str]:
    """The JSON escapes, lower-cased, that could stand for `char` in a string whose lower case
    holds it: `\\u` and the code of `char` or of a character whose lower case holds it (`É`
    for `é`, the Kelvin sign for `k`; a surrogate pair past the BMP), and `\\/` for `/` (and
    the other short escapes)."""
    found = {_unicode_escape(form) for form in (char, *_upper_forms().get(char, ()))}
    if char in _SHORT_ESCAPES:
        found.add(_SHORT_ESCAPES[char])
    return found


def _unicode_escape(char: str) -> str:
    point = ord(char)
    if point <= 0xFFFF:
        return f"\\u{point:04x}"
    high, low = divmod(point - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


@cache
def _upper_forms() -> dict[str, tuple[str, ...]]:
    """Each character with the characters whose lower case holds it (`é`: `É`; `i`: `I`, `İ`);
    found once by walking every code point (a few tenths of a second)."""
    forms: dict[str, list[str]] = {}
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        lowered = char.lower()
        if lowered != char:
            for part in set(lowered):
                forms.setdefault(part, []).append(char)
    return {part: tuple(chars) for part, chars in forms.items()}


def mentioned_fields(text: str | None, values: Collection[str]) -> tuple[str, ...]:
    """The names of the top-level fields of the JSON object `text` (attributes or properties)
    that mention one of `values` (already `mention_values`), sorted; () for anything else."""
    if not text or not values:
        return ()
    try:
        fields = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(fields, Mapping):
        return ()
    return tuple(
        sorted(
            str(name)
            for name, value in fields.items()
            if any(v in leaf.lower() for leaf in json_leaves(value) for v in values)
        )
    )


def observation_attributes(payload: str) -> str | None:
    """The attributes of a logged observation (its wire JSON) as JSON text, None if none."""
    try:
        record = json.loads(payload)
    except ValueError:
        return None
    attributes = record.get("attributes") if isinstance(record, Mapping) else None
    return json.dumps(attributes) if isinstance(attributes, Mapping) else None


Candidate = tuple[MentionKind, str, str | None]
"""A record a store found holding a search term: kind, ID, and its fields as JSON text."""


def snapshot_fields(decision: Decision) -> str:
    """The attributes a steward decision snapshotted, as one JSON object of attribute name to
    every value the profiles before and after it held (golden values and candidates, decoded):
    where a mention in a decision body is looked for, under the rule of the records'."""
    fields: dict[str, list[Any]] = {}
    for profile in (*decision.before.profiles, *decision.after.profiles):
        for name, value in profile.attributes.items():
            fields.setdefault(name, []).append(value)
        for name, candidates in profile.candidates.items():
            fields.setdefault(name, []).extend(json.loads(c.value) for c in candidates)
    return json.dumps(fields, ensure_ascii=False)


def filtered_candidates(
    terms: Collection[str],
    observations: Iterable[tuple[str, str]],
    events: Iterable[tuple[str, str]],
    decisions: Iterable[Decision] = (),
) -> Iterator[Candidate]:
    """The records `mention_filter(terms)` keeps among `observations` (ID and wire JSON, in
    log order), `events` (ID and properties JSON, by ID) and `decisions` (in the order made,
    by their `snapshot_fields`), as `find_mentions` takes them.
    Every store reads its records page by page and sifts them here, so letter case is folded
    by Python's one rule, never by a database's (SQLite's `lower` folds ASCII only; Cypher's
    `toLower` may follow the server's locale)."""
    could_mention = mention_filter(terms)
    for record_id, payload in observations:
        if could_mention(payload):
            yield "observation", record_id, observation_attributes(payload)
    for record_id, properties in events:
        if could_mention(properties):
            yield "event", record_id, properties
    for decision in decisions:
        snapshot = snapshot_fields(decision)
        if could_mention(snapshot):
            yield "decision", decision.id, snapshot


def find_mentions(
    values: Iterable[str], limit: int, candidates: Callable[[list[str]], Iterable[Candidate]]
) -> MentionPage:
    """The page of mentions of `values` (the first `limit`, and the count of all), from what a
    store's `candidates(search_terms)` answers: its records holding one of the terms
    (observations in log order, then events by ID, then decisions), which the rule then
    sifts."""
    wanted = mention_values(values)
    if not wanted:
        return MentionPage()
    return collect_mentions(candidates(search_terms(wanted)), wanted, limit)


def collect_mentions(
    candidates: Iterable[Candidate], values: Collection[str], limit: int
) -> MentionPage:
    """The page of mentions among `candidates` (kind, record ID, fields as JSON text), in
    their order: the first `limit`, and the count of all."""
    items: list[Mention] = []
    total = 0
    for kind, record_id, text in candidates:
        fields = mentioned_fields(text, values)
        if fields:
            total += 1
            if len(items) < limit:
                items.append(Mention(kind, record_id, fields))
    return MentionPage(tuple(items), total)
