"""A re-applied merge joins again what the review items it accepted live had inside it.

A steward's merge accepts the open review items between the two profiles it joins and makes
their links active (`accept_items_merged`). After an erasure, a replay may find an end of such
an item in a profile of its own: the person's identifier had put it in the merged profile live
(C1's record joined e0 and e1, C2's links to both were held by the CRM limit, and a merge of
C1's and C2's profiles accepted both; with C1 erased, the merge joins C2 and e0, its stand-in,
and e1 stays apart, its link held and its item open). The replay merges each profile such an
item reaches into the merged one at the decision, where live made its link active, with no
must-link and no alias live never had.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.steward import Decision, StewardChange
from datora_graph.steward_changes import GraphChanges, review_items_touching
from datora_graph.store.base import GraphStore

Reached = tuple[str, tuple[str, str]]
"""A profile outside a merge, with the accepted pair whose item reaches it."""


def reached_profiles(
    store: GraphStore, merging: Collection[str], accepted: Collection[tuple[str, str]]
) -> list[Reached]:
    """The profiles outside `merging` (the two a merge joins) that the open review items on
    the `accepted` pairs reach from them, link after link, in the order reached; none when
    the replay holds every such item inside them, as live did."""
    ends = sorted({key for pair in accepted for key in pair})
    pairs = [(i.a, i.b) for i in review_items_touching(store, ends) if (i.a, i.b) in accepted]
    holders = store.profile_ids_for_identifiers(sorted({k for pair in pairs for k in pair}))
    inside, found = set(merging), []
    grew = True
    while grew:
        grew = False
        for a, b in pairs:
            ends_in = [holders.get(a), holders.get(b)]
            outside = [p for p in ends_in if p is not None and p not in inside]
            if len(outside) == 1 and None not in ends_in:
                inside.add(outside[0])
                found.append((outside[0], (a, b)))
                grew = True
    return found


def rejoin_reached(
    changes: GraphChanges,
    change: StewardChange,
    merged: str,
    reached: Sequence[Reached],
    decision: Decision,
) -> tuple[StewardChange, str]:
    """`change`, the merge `decision` re-applied into `merged`, its `write` holding the
    `reached` profiles too, with each of them merged in (the survivor is the one the decision
    had live, else `merged`), and the merged profile's ID. An absorbed ID live never had leaves
    no alias nor merge note, and the decision's notes naming it name its survivor; a profile a
    cannot-link keeps apart now stays apart, its item open."""
    after = decision.profiles_after
    live = after[0] if len(after) == 1 else ""
    for other, (a, b) in reached:
        keep = live if live in (merged, other) else merged
        try:
            step = changes.merge(
                change.write,
                merged,
                other,
                a,
                b,
                decision.reason,
                "b",
                at=decision.at,
                keep=keep,
                link=False,
            )
        except InvalidInput:
            continue
        absorbed = step.remove_profiles[0]
        write, merges = step.write, step.merges
        if absorbed not in decision.after.aliases:
            aliases = {k: v for k, v in write.aliases.items() if k != absorbed}
            write, merges = replace(write, aliases=aliases), ()
        merged = write.assignments[a]
        # The merges the decision made so far name the survivor they have now, as its aliases.
        notes = [
            replace(n, survivor=merged) if n.survivor == absorbed else n for n in change.merges
        ]
        change = replace(
            change,
            write=write,
            remove_profiles=(*change.remove_profiles, absorbed),
            merges=(*notes, *merges),
        )
    return change, merged
