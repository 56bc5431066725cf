"""What a caller without the `read:pii` scope sees of personal data: the shape, not the values.

Identifier values become `***` (a key `email:ann@x.io` becomes `email:***`), every profile
attribute value becomes `***` (the names stay, so a client sees which are known), and a rejected
item's payload becomes `***`. Types, IDs, counts and times stay: they identify nobody alone.
The same rule holds in REST and GraphQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import GoldenProfile, JourneyPage, RejectionPage
from datora_graph.domain.records import Event

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


def mask_event(event: Event) -> Event:
    return replace(event, identifiers=tuple(mask_identifier(i) for i in event.identifiers))


def mask_journey(page: JourneyPage) -> JourneyPage:
    return replace(page, events=[mask_event(e) for e in page.events])


def mask_rejections(page: RejectionPage) -> RejectionPage:
    return replace(page, items=[(seq, replace(r, payload=MASK)) for seq, r in page.items])
