"""The copies of a steward decision's reason an erasure rewrites when the reason quotes the
person: the cannot- and must-links the decision made, and the resolutions of the review items
it closed. Split out of erasure_service.py, which puts them in the `Erasure`.

Each becomes the text a replay of the redacted decision (reason `REDACTED_REASON`) writes,
not `REDACTED_REASON` whole: a split's cannot-links keep `split dec_…: ` before it, which a
merge-back finds them by (`steward_replay._reapply_merge_back`), and an answered item keeps
`merged by decision dec_…: `. A rebuild and a migration then end with live's texts, and no
decision need keep a copy of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from datora_graph.domain.erasure_decisions import REDACTED_REASON
from datora_graph.domain.steward import Decision
from datora_graph.steward_changes import merged_reason
from datora_graph.steward_unsplit import unsplit_reason
from datora_graph.store.base import GraphStore


def cannot_link_reasons(store: GraphStore, quoting: Sequence[Decision]) -> list[tuple[int, str]]:
    """`(ID, reason)` of the cannot-links the decisions `quoting` the person made and the
    store holds, with the quoted reason after their prefix (`split dec_…: `, `review 7
    dec_…: `) replaced. Read only when one made any; cannot-links are few (stewards make
    them)."""
    made = {i: d.reason for d in quoting for i in d.created.get("cannot_link", ())}
    if not made:
        return []
    return [
        (c.id, _requoted(c.reason, made[c.id])) for c in store.list_cannot_links() if c.id in made
    ]


def must_link_reasons(quoting: Sequence[Decision]) -> list[int]:
    """The IDs of the must-links the decisions `quoting` the person made: a must-link's reason
    is its decision's, so it becomes `REDACTED_REASON` whole, as a replay writes it."""
    return [i for d in quoting for i in d.created.get("must_link", ())]


def resolution_reasons(quoting: Sequence[Decision]) -> list[tuple[str, str]]:
    """`(text, replacement)` of every resolution the decisions `quoting` the person gave the
    review items they closed: their reason (a split's, a review decision's own item), an
    answered item's `merged by decision …: …`, a merge-back's `undo of split …: …`."""
    found: dict[str, str] = {}
    for decision in quoting:
        found[decision.reason] = REDACTED_REASON
        found[merged_reason(decision.id, decision.reason)] = merged_reason(
            decision.id, REDACTED_REASON
        )
        if decision.kind == "undo" and "undoes" in decision.details:
            split_id = str(decision.details["undoes"])
            found[unsplit_reason(split_id, decision.reason)] = unsplit_reason(
                split_id, REDACTED_REASON
            )
    return sorted(found.items())


def _requoted(text: str, quote: str) -> str:
    """`text`, which ends with the decision's reason `quote` after the prefix naming the
    decision, with `REDACTED_REASON` in its place; `REDACTED_REASON` whole if it does not."""
    if not text.endswith(quote):
        return REDACTED_REASON
    return text.removesuffix(quote) + REDACTED_REASON
