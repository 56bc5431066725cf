"""What a caller without the `read:pii` scope sees of personal data: the shape, not the values.

Identifier values become `***` (a key `email:ann@x.io` becomes `email:***`), every profile
attribute value becomes `***` (the names stay, so a client sees which are known), and a rejected
item's payload becomes `***`, as does every value of it that its reason quotes
(`email '***' is not an email address`). An event's properties keep their names, and their
values only where the name is one a journey is read for (`DATORA_EVENT_PROPERTIES_SHOWN`:
revenue, a product, a page). Types, IDs, counts and times stay: they identify nobody alone.
The same rule holds in REST and GraphQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from typing import Any

from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import GoldenProfile, JourneyPage, RejectionPage
from datora_graph.domain.records import Event
from datora_graph.domain.segments import (
    AttributeCondition,
    Condition,
    EventCondition,
    conditions_of,
)

MASK = "***"


def mask_identifier(identifier: Identifier) -> Identifier:
    return Identifier(identifier.type, MASK)


def mask_key(key: str) -> str:
    """`email:ann@x.io` → `email:***`."""
    type_, sep, _ = key.partition(":")
    return f"{type_}:{MASK}" if sep else MASK


def mask_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return dict.fromkeys(attributes, MASK)


def mask_profile(profile: GoldenProfile) -> GoldenProfile:
    return replace(
        profile,
        attributes=mask_attributes(profile.attributes),
        identifiers=tuple(
            replace(held, identifier=mask_identifier(held.identifier))
            for held in profile.identifiers
        ),
    )


DEFAULT_EVENT_PROPERTIES_SHOWN = (
    "revenue",
    "currency",
    "order_id",
    "sku",
    "product_id",
    "category",
    "quantity",
    "price",
    "url",
    "path",
    "campaign",
    "channel",
)
"""Event properties a caller without `read:pii` sees the values of: what a journey is about
(an order's amount, a product, a page), not who. A source's own properties may be anything
(a delivery address, a gift message), so every other value is masked."""


def mask_properties(properties: Mapping[str, Any], shown: Collection[str]) -> dict[str, Any]:
    """`properties` with the values of names not in `shown` masked; the names stay."""
    return {name: value if name in shown else MASK for name, value in properties.items()}


def mask_event(event: Event, shown: Collection[str]) -> Event:
    return replace(
        event,
        identifiers=tuple(mask_identifier(i) for i in event.identifiers),
        properties=mask_properties(event.properties, shown),
    )


def mask_journey(page: JourneyPage, shown: Collection[str]) -> JourneyPage:
    """The page with identifiers masked, and of each event's properties only the values of
    `shown` (`DATORA_EVENT_PROPERTIES_SHOWN`)."""
    return replace(page, events=[mask_event(e, shown) for e in page.events])


def mask_rejections(page: RejectionPage) -> RejectionPage:
    return replace(
        page,
        items=[
            (seq, replace(r, reason=mask_reason(r.reason, r.payload), payload=MASK))
            for seq, r in page.items
        ],
    )


_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*(?:'|…)|"(?:[^"\\]|\\.)*(?:"|…)""")
"""A value as `shown` writes it: its repr, perhaps cut short with `…` before the last quote."""
_NOT_PERSONAL = frozenset({"id", "source", "observed_at", "occurred_at", "type"})
"""Top-level fields of an observation or event that name the record, not the person."""
_NOT_PERSONAL_WITHIN = frozenset({"type", "purpose", "status", "source", "at"})
"""Fields of an identifier or consent statement that are vocabulary, not values."""
_SHORTEST_MASKED = 3
"""A value of one or two characters found in a reason is more likely a word than the value."""


def mask_reason(reason: str, payload: str) -> str:
    """`reason` without the personal values of `payload` (the item as sent, in JSON) that it
    quotes or names: a quoted value is masked when it is part of one (a cut-short or
    normalised form of it too), and a personal value written out is masked wherever it is."""
    personal = [text.casefold() for text in _personal_values(payload)]

    def quoted(found: re.Match[str]) -> str:
        inner = found.group(0)[1:].removesuffix("…").rstrip("'\"").casefold()
        shown = inner != "" and any(
            inner in value or (len(value) >= _SHORTEST_MASKED and value in inner)
            for value in personal
        )
        return f"'{MASK}'" if shown else found.group(0)

    masked = _QUOTED.sub(quoted, reason)
    for value in sorted(personal, key=len, reverse=True):
        if len(value) >= _SHORTEST_MASKED:
            masked = re.sub(re.escape(value), MASK, masked, flags=re.IGNORECASE)
    return masked


def _personal_values(payload: str) -> Iterator[str]:
    """Every value of an observation or event that may say who someone is: identifier
    values, attributes, properties, consent's identifiers. An item whose JSON cannot be read
    is personal as a whole."""
    try:
        item = json.loads(payload)
    except ValueError:
        yield payload
        return
    if not isinstance(item, dict):
        yield from json_leaves(item)
        return
    for name, value in item.items():
        if name in _NOT_PERSONAL and not isinstance(value, dict | list):
            continue
        if name in ("identifiers", "consent") and isinstance(value, list):
            yield from json_leaves([_without_vocabulary(entry) for entry in value])
        else:
            yield from json_leaves(value)


def _without_vocabulary(entry: object) -> object:
    if not isinstance(entry, dict):
        return entry
    kept = {k: v for k, v in entry.items() if k not in _NOT_PERSONAL_WITHIN}
    if isinstance(kept.get("identifier"), dict):
        kept["identifier"] = _without_vocabulary(kept["identifier"])
    return kept


def json_leaves(value: object) -> Iterator[str]:
    """The strings and numbers inside a decoded JSON value, as text; not its keys, booleans or
    nulls. What a person's data can be written as in a free field (also domain/mentions.py)."""
    if isinstance(value, dict):
        for inner in value.values():
            yield from json_leaves(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from json_leaves(inner)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def personal_filters(definition: Condition, shown: Collection[str]) -> list[str]:
    """The parts of a segment definition that compare values a caller without `read:pii` sees
    masked: attributes, and the event properties outside `shown`. Such a caller could read
    a masked value back by asking which profiles match (`first_name contains "An"`); whether
    a value `exists` tells no more than the mask does."""
    found: list[str] = []
    for part in conditions_of(definition):
        if isinstance(part, AttributeCondition) and part.comparison.op != "exists":
            found.append(f"attribute {part.name}")
        elif isinstance(part, EventCondition):
            found.extend(
                f"event property {where.name}"
                for where in part.where
                if where.name not in shown and where.comparison.op != "exists"
            )
    return list(dict.fromkeys(found))
