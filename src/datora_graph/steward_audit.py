"""Steward decisions in the audit log: who did what to which profiles, and why.

The audit log (`domain/audit.py`, written through the store's `append_audit`) is shared with
key changes, erasures and exports; this module only says how a steward decision reads there.
"""

from __future__ import annotations

from datora_graph.domain.audit import new_audit_entry
from datora_graph.domain.steward import Decision
from datora_graph.store.base import GraphStore

ACTIONS = {
    "split": "split",
    "manual_merge": "manual_merge",
    "review_accept": "review_accept",
    "review_reject": "review_reject",
    "undo": "undo",
}


def record_decision(store: GraphStore, decision: Decision) -> None:
    """Append the audit entry of a logged decision (its ID is the entry's subject)."""
    entry = new_audit_entry(
        decision.actor,
        ACTIONS[decision.kind],
        decision.reason,
        before=decision.profiles_before,
        after=decision.profiles_after,
        subject=decision.id,
        details=_details(decision),
        at=decision.at,
    )
    store.append_audit([entry])


def _details(decision: Decision) -> dict[str, object]:
    """What the audit log keeps beside the profile IDs: never identifier values, which the
    log shows to keys without `read:pii` (the decision log holds them, masked there)."""
    details: dict[str, object] = {"decision": decision.id, "kind": decision.kind}
    for name in ("item_id", "undoes", "undone_kind"):
        if name in decision.details:
            details[name] = decision.details[name]
    return details
