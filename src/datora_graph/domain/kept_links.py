"""Links an erasure keeps active: the marks on a logged record, and how a replay reads them.

An erasure leaves other people's profiles as they are, and a replay of the rewritten log must
find them so. Two outcomes of a kept record of others may rest on a profile only the erased
person had joined, where the replay meets two profiles and a guard is asked:

- its link made inside one profile, with no guard asked (e0 and e1 sent together after C2's
  record joined them, e0 since quarantined by a second CRM number): the erasure marks the
  link under `KEPT_LINKS` (`mark_linked`), and a replay makes it active whatever the guards
  say, counting no join, as live;
- its link held for review and later answered by a record that joined the two ends' profiles
  by a path through the person (the person's own record, or one that met a profile the
  person had joined): the erasure marks it under `KEPT_ANSWERS` (`mark_answered`) with the
  review item's guard, reason and suggested action and the answering record as the item
  names it live (by its fingerprint when it went), and a replay opens the item, makes the
  link active and closes the item as answered by that record.

The marks are written by an erasure only: the wire format refuses unknown keys, so no client
can send one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_holds import HELD_GUARDS, mark_pair, pair_ends

if TYPE_CHECKING:  # changeset.py imports records.py, which imports this module
    from datora_graph.domain.changeset import GuardName

KEPT_LINKS = "_linked_here"
"""The key under which an erasure keeps, in a logged record of others, the links it made
active live inside one profile the erased person had joined: a list of `{"a", "b"}`, each end
an identifier as the record carries it."""

KEPT_ANSWERS = "_answered_here"
"""The key under which an erasure keeps, in a logged record of others, the links it held live
whose review item a path through the erased person answered: a list of `{"a", "b", "guard",
"reason", "suggested_action", "answered_by"}`."""

ANSWERED_GUARDS: dict[str, GuardName] = {**HELD_GUARDS, "hub": "hub", "quarantine": "quarantine"}
"""Every guard whose item the graph may answer."""


@dataclass(frozen=True, slots=True)
class KeptLink:
    """A link a logged record made active live, by normalised keys (`a` < `b`)."""

    a: str
    b: str


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """A link a logged record held live, with its review item as opened, and the record that
    answered the item live (`answered_by`, as the item names it)."""

    a: str
    b: str
    guard: GuardName
    reason: str
    suggested_action: str
    answered_by: str


def kept_links(items: object, registry: IdentifierRegistry) -> tuple[KeptLink, ...]:
    """The links a logged record's `KEPT_LINKS` list names; one the current settings no longer
    accept an end of, or that is malformed, is left out."""
    found: list[KeptLink] = []
    for item in items if isinstance(items, list) else ():
        ends = sorted(set(pair_ends(item, registry)))
        if len(ends) == 2:
            found.append(KeptLink(ends[0], ends[1]))
    return tuple(found)


def kept_answers(items: object, registry: IdentifierRegistry) -> tuple[KeptAnswer, ...]:
    """The answered links a logged record's `KEPT_ANSWERS` list names, as `kept_links`."""
    found: list[KeptAnswer] = []
    for item in items if isinstance(items, list) else ():
        ends = sorted(set(pair_ends(item, registry)))
        if len(ends) != 2 or not isinstance(item, dict):
            continue
        guard = ANSWERED_GUARDS.get(str(item.get("guard")))
        texts = [item.get(k) for k in ("reason", "suggested_action", "answered_by")]
        if guard and all(isinstance(t, str) for t in texts):
            reason, action, by = (str(t) for t in texts)
            found.append(KeptAnswer(ends[0], ends[1], guard, reason, action, by))
    return tuple(found)


def mark_linked(payload: str, link: KeptLink, registry: IdentifierRegistry) -> str | None:
    """A logged record's text with `link` added to the links it keeps as made active by it;
    None when it does not carry both ends or marks the pair already."""
    return mark_pair(payload, KEPT_LINKS, (link.a, link.b), {}, registry)


def mark_answered(payload: str, answer: KeptAnswer, registry: IdentifierRegistry) -> str | None:
    """A logged record's text with `answer` added to the links it keeps as answered; None when
    it does not carry both ends or marks the pair already."""
    fields = {
        "guard": answer.guard,
        "reason": answer.reason,
        "suggested_action": answer.suggested_action,
        "answered_by": answer.answered_by,
    }
    return mark_pair(payload, KEPT_ANSWERS, (answer.a, answer.b), fields, registry)
