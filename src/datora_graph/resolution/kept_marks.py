"""The marks an erasure writes into the records it keeps, and how a replay honours them.

Kept apart from engine.py so the engine reads as live resolution; these helpers only say
what a mark asks of one link. A record an erasure rewrote or marked quarantines again what
it quarantined live, where it did (before linking, or at a held link:
`Observation.quarantines`, `.link_quarantines`), counts again the hub joins it counted
(`.joins`) and holds again the links a limit, the size bound or a cannot-link naming the
person held (`.holds`): what made them went with the erased person; each counts a hub join
as it did live (another guard may have held it there). A record of someone else an erasure
marked so (`.name_checked`) keeps the outcome of its name check live instead of checking
again; a kept record (the person's own rewritten ones too) whose link was made inside a
profile only the person had joined makes it active again with no guard asked (`.links`),
and one that answered a review item live through the person merges the item's ends'
profiles after its links (`.answers`), answering it there, as domain/kept_links.py tells.
"""

from __future__ import annotations

from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.kept_holds import KeptHold
from datora_graph.domain.records import Observation
from datora_graph.resolution.guards import Refusal


def kept_hold(observation: Observation, x: str, y: str) -> KeptHold | None:
    """The hold an erasure keeps on the record's link `x`-`y` (`Observation.holds`), if any."""
    a, b = (x, y) if x < y else (y, x)
    return next((h for h in observation.holds if (h.a, h.b) == (a, b)), None)


def kept_refusal(hold: KeptHold, found: Refusal | None) -> Refusal:
    """The refusal of a link an erasure keeps held (`hold`), as its review item told it live,
    when what made the guards refuse may be gone; a quarantine the same guard makes now
    (`found`) is still made. Whether it counts a hub join the mark says (`hold.joined`)."""
    same = found is not None and found.guard == hold.guard
    quarantine = found.quarantine if found and same else ""
    return Refusal(hold.guard, hold.reason, hold.suggested_action, quarantine)


def linked_live(observation: Observation, x: Identifier, y: Identifier) -> bool:
    """Whether an erasure kept the record's link `x`-`y` as made active live with no guard
    asked (`Observation.links`): its ends were in one profile the erased person had joined."""
    a, b = (x.key, y.key) if x.key < y.key else (y.key, x.key)
    return any((link.a, link.b) == (a, b) for link in observation.links)
