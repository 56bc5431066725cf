"""Links an erasure keeps active: the mark on a logged record, and how a replay reads it.

An erasure leaves other people's profiles as they are, and a replay of the rewritten log must
find them so. A kept record of others may have made a link inside one profile only the erased
person had joined, with no guard asked (e0 and e1 sent together after C2's record joined them,
e0 since quarantined by a second CRM number). A replay meets two profiles there and asks the
guards, which may hold the link: the erasure marks the link under `KEPT_LINKS`
(`mark_linked`), and a replay makes it active whatever the guards say, counting no join, as
live. A record of the person's own, rewritten to keep the others' identifiers, is marked
alike for a link between two of them (e0 and the phone sent with e1, which had joined them).

A kept record may also have answered a review item live by joining its ends' profiles through
the erased person (e0 with U1 joined Bob's profile, the phone's, with Ann's, U1's, answering
phone-U1; the erasure keeps the record as U1 alone). Live still shows the phone and U1 in one
profile and the item answered by that record, so the erasure marks the item's pair under
`KEPT_ANSWERS` (`mark_answered`) on the answering record, not the holding one (a first try
marked the holding record and merged there, before the profiles live had joined, the hunt's
V), and a replay merges the two ends' profiles at that record, answering the item by it.
Its ends need not be carried by the record: an erasure of one of their people finds the mark
through the answered item (`answered_by`), not the log index.

The marks are written by an erasure only: the wire format refuses unknown keys, so no client
can send one.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.json_text import compact_json
from datora_graph.domain.kept_holds import links_without, mark_pair, pair_ends

KEPT_LINKS = "_linked_here"
"""The key under which an erasure keeps, in a logged record it keeps, the links it made
active live inside one profile the erased person had joined: a list of `{"a", "b"}`, each end
an identifier as the record carries it."""

KEPT_ANSWERS = "_answered_here"
"""The key under which an erasure keeps, in a logged record it keeps, the review items it
answered live by joining their ends' profiles through the erased person: a list of
`{"a", "b"}`, each end an identifier of someone else (`{"type", "value"}`, normalised), which
the record need not carry."""


@dataclass(frozen=True, slots=True)
class KeptLink:
    """A link a logged record made active live, by normalised keys (`a` < `b`)."""

    a: str
    b: str


def kept_links(items: object, registry: IdentifierRegistry) -> tuple[KeptLink, ...]:
    """The links a logged record's `KEPT_LINKS` list names; one the current settings no longer
    accept an end of, or that is malformed, is left out."""
    found: list[KeptLink] = []
    for item in items if isinstance(items, list) else ():
        ends = sorted(set(pair_ends(item, registry)))
        if len(ends) == 2:
            found.append(KeptLink(ends[0], ends[1]))
    return tuple(found)


def mark_linked(payload: str, link: KeptLink, registry: IdentifierRegistry) -> str | None:
    """A logged record's text with `link` added to the links it keeps as made active by it;
    None when it does not carry both ends or marks the pair already."""
    return mark_pair(payload, KEPT_LINKS, (link.a, link.b), {}, registry)


def mark_answered(payload: str, item: KeptLink, registry: IdentifierRegistry) -> str | None:
    """A logged record's text with the review item `item` (its ends' keys) added to those it
    keeps as answered by it; None when it marks the pair already."""
    record = json.loads(payload)
    kept = list(record.get(KEPT_ANSWERS, ()))
    if any(set(pair_ends(k, registry)) == {item.a, item.b} for k in kept):
        return None
    a, b = (dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in (item.a, item.b))
    record[KEPT_ANSWERS] = [*kept, {"a": a, "b": b}]
    return compact_json(record)


def answers_without(
    payload: str, keys: Collection[str], registry: IdentifierRegistry
) -> str | None:
    """A logged record's text without the answered items (`KEPT_ANSWERS`) an end of which is
    among the erased `keys`; None when it names none."""
    record = json.loads(payload)
    kept = record.get(KEPT_ANSWERS)
    if not isinstance(kept, list):
        return None
    left = links_without(kept, keys, registry)
    if len(left) == len(kept):
        return None
    if left:
        record[KEPT_ANSWERS] = left
    else:
        del record[KEPT_ANSWERS]
    return compact_json(record)
