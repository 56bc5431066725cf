"""The steward decision log: how a decision is written to it (its before and after state,
where the observation log stood, its audit entry, in one store transaction) and how it is
read back, a page at a time or whole.

>>> page = decision_page(store, first=50)                                 # doctest: +SKIP
>>> find_decision(store, page.decisions[0].id).kind                       # doctest: +SKIP
'split'
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from datora_graph.domain.errors import InvalidInput, NotFound
from datora_graph.domain.steward import (
    Decision,
    DecisionKind,
    DecisionPage,
    GraphSlice,
    ReviewState,
    StewardChange,
)
from datora_graph.steward_audit import decision_entry
from datora_graph.steward_placement import LOG_POSITION
from datora_graph.store.base import GraphStore

MAX_DECISION_PAGE = 1000


def new_decision_id() -> str:
    return f"dec_{uuid.uuid4().hex[:20]}"


def decision_reason(reason: str) -> str:
    """A steward's reason on one line; InvalidInput naming `reason` when there is none."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput("reason", "is required: say why, for the audit log")
    return cleaned


def decision_time() -> datetime:
    return datetime.now(UTC)


def new_decision(
    store: GraphStore,
    decision_id: str,
    kind: DecisionKind,
    actor: str,
    reason: str,
    before: GraphSlice,
    after: GraphSlice,
    review_before: tuple[ReviewState, ...] = (),
    details: dict[str, Any] | None = None,
) -> Decision:
    """The log entry of a decision from the state before and after it; a decision a rebuild
    re-applies records where the log stands now (`LOG_POSITION`), to be re-applied there."""
    details = details or {}
    # An undo of a split by merging back is applied again by a replay, where it was made
    # (steward_placement.is_merge_back); an exact undo leaves nothing to apply.
    if kind != "undo" or details.get("merged_back"):
        details = {**details, LOG_POSITION: store.last_sequence()}
    return Decision(
        id=decision_id,
        kind=kind,
        actor=actor,
        reason=reason,
        at=decision_time(),
        profiles_before=tuple(p.id for p in before.profiles),
        profiles_after=tuple(p.id for p in after.profiles),
        before=before,
        after=after,
        review_before=review_before,
        details=details,
    )


def apply_decision(store: GraphStore, change: StewardChange) -> Decision:
    """Apply and log a decision with its audit entry, in one transaction."""
    return store.apply_steward_change(replace(change, audit=(decision_entry(change.decision),)))


def decision_page(store: GraphStore, first: int = 50, after: int = 0) -> DecisionPage:
    """`first` decisions after the cursor `after`, oldest first."""
    if not 1 <= first <= MAX_DECISION_PAGE:
        raise InvalidInput("first", f"must be between 1 and {MAX_DECISION_PAGE}")
    return store.list_decisions(after, first)


def find_decision(store: GraphStore, decision_id: str) -> Decision:
    """The decision `decision_id`; NotFound naming `decisionId` when there is none."""
    found = store.get_decisions([decision_id]).get(decision_id)
    if found is None:
        raise NotFound(f"decisionId: no decision has the ID {decision_id!r}")
    return found


def decision_pages(
    store: GraphStore, size: int = MAX_DECISION_PAGE
) -> Iterator[Sequence[Decision]]:
    """The whole decision log, oldest first, a page of at most `size` at a time."""
    after = 0
    while True:
        page = store.list_decisions(after, size)
        if page.decisions:
            yield page.decisions
        if page.next_after is None or not page.decisions:
            return
        after = page.next_after
