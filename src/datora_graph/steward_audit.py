"""Steward decisions in the audit log: who did what to which profiles, and why.

The audit log (`domain/audit.py`) is shared with key changes, erasures and exports; this
module only says how a steward decision reads there. The store writes the entry in the
decision's own transaction (`StewardChange.audit`), so no decision goes unaudited.
"""

from __future__ import annotations

from datora_graph.domain.audit import AuditEntry, new_audit_entry
from datora_graph.domain.steward import Decision

ACTIONS = {
    "split": "split",
    "manual_merge": "manual_merge",
    "review_accept": "review_accept",
    "review_reject": "review_reject",
    "undo": "undo",
}


def decision_entry(decision: Decision) -> AuditEntry:
    """The audit entry of a decision (its ID is the entry's subject)."""
    return new_audit_entry(
        decision.actor,
        ACTIONS[decision.kind],
        decision.reason,
        before=decision.profiles_before,
        after=decision.profiles_after,
        subject=decision.id,
        details=_details(decision),
        at=decision.at,
    )


def _details(decision: Decision) -> dict[str, object]:
    """What the audit log keeps beside the profile IDs: never identifier values, which the
    log shows to keys without `read:pii` (the decision log holds them, masked there)."""
    details: dict[str, object] = {"decision": decision.id, "kind": decision.kind}
    for name in ("item_id", "undoes", "undone_kind"):
        if name in decision.details:
            details[name] = decision.details[name]
    return details
