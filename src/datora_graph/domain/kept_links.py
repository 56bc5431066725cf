"""Links an erasure keeps active: the mark on a logged record, and how a replay reads it.

An erasure leaves other people's profiles as they are, and a replay of the rewritten log must
find them so. A kept record of others may have made a link inside one profile only the erased
person had joined, with no guard asked (e0 and e1 sent together after C2's record joined them,
e0 since quarantined by a second CRM number). A replay meets two profiles there and asks the
guards, which may hold the link: the erasure marks the link under `KEPT_LINKS`
(`mark_linked`), and a replay makes it active whatever the guards say, counting no join, as
live. A record of the person's own, rewritten to keep the others' identifiers, is marked
alike for a link between two of them (e0 and the phone sent with e1, which had joined them).

The mark is written by an erasure only: the wire format refuses unknown keys, so no client can
send one.
"""

from __future__ import annotations

from dataclasses import dataclass

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_holds import mark_pair, pair_ends

KEPT_LINKS = "_linked_here"
"""The key under which an erasure keeps, in a logged record it keeps, the links it made
active live inside one profile the erased person had joined: a list of `{"a", "b"}`, each end
an identifier as the record carries it."""


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
