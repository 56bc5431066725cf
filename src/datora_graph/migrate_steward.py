"""What a migration carries beside the observation log: steward decisions, API keys and the
audit log. None of it is derived from the log, so it is copied, not replayed.

Decisions are copied into the target's decision log oldest first, before the observation
log is replayed, each with the constraints it created (written in the target, so an undo there
removes the target's own rows); an undo marks the decision it undid, as in the source. After
the replay the decisions still in force are applied again, exactly as `datora resolve
--rebuild` does, so split parts keep their IDs and manual merges merge again.

    >>> log_decisions(source, target.store)                       # doctest: +SKIP
    4
    >>> reapply_decisions(target).reapplied                       # doctest: +SKIP
    2
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.errors import Conflict
from datora_graph.domain.profiles import MAX_PAGE_SIZE
from datora_graph.domain.steward import Decision, GraphSlice, KeyPair, StewardChange
from datora_graph.services import IdentityService
from datora_graph.steward_replay import LOG_POSITION, ReapplyReport
from datora_graph.steward_service import StewardService, decision_pages
from datora_graph.store.base import GraphStore

DECISION_PAGE = 500
Advance = Callable[[int], None]


def log_decisions(source: GraphStore, target: GraphStore, advance: Advance | None = None) -> int:
    """Write every source decision the target's log lacks to it, oldest first, before
    anything is replayed: the constraints they created are then the target's own rows, which
    an undo in the target removes, and the replay honours them as a rebuild does. Answers
    how many were written."""
    logged = 0
    cannot_links = {c.id: KeyPair.of(c.a, c.b, c.reason) for c in source.list_cannot_links()}
    for page in decision_pages(source, DECISION_PAGE):
        known = target.get_decisions([d.id for d in page])
        for decision in page:
            if decision.id not in known:
                target.apply_steward_change(_log_entry(decision, cannot_links))
                logged += 1
        if advance is not None:
            advance(len(page))
    return logged


def reapply_decisions(target: IdentityService) -> ReapplyReport:
    """Apply the decisions in force again to the replayed graph, as a rebuild does."""
    return StewardService(target).reapply_decisions()


def _log_entry(decision: Decision, cannot_links: dict[int, KeyPair]) -> StewardChange:
    """A change that writes nothing to the graph but the decision's log entry and, for a
    decision in force, the constraints it created (the target numbers them itself). An undone
    decision's constraints are gone from the source and are not written."""
    # The target numbers its log anew, so a source position would name another record there:
    # a rebuild of the target applies the carried decisions after its whole log.
    details = {k: v for k, v in decision.details.items() if k != LOG_POSITION}
    entry = replace(decision, undone_by=None, seq=0, details=details)
    if decision.kind == "undo":
        return StewardChange(entry, GraphSlice(), undoes=str(decision.details["undoes"]))
    if decision.undone_by is not None:
        return StewardChange(entry, GraphSlice())
    ids = decision.created.get("cannot_link", ())
    created = [cannot_links[i] for i in ids if i in cannot_links]
    must: tuple[KeyPair, ...] = ()
    if decision.created.get("must_link") and "a" in details and "b" in details:
        must = (KeyPair.of(str(details["a"]), str(details["b"]), decision.reason),)
    return StewardChange(entry, GraphSlice(), cannot_links=tuple(created), must_links=must)


def carry_api_keys(source: GraphStore, target: GraphStore) -> int:
    """Copy every key (its hash, scopes and revocation); a name the target has is left as it
    is there. Tokens issued by the source keep working against the target."""
    carried = 0
    for key in source.list_api_keys():
        try:
            target.create_api_key(key)
        except Conflict:
            continue
        carried += 1
    return carried


def carry_audit(source: GraphStore, target: GraphStore, advance: Advance | None = None) -> int:
    """Copy the audit log a page at a time; entries the target has (by ID) are kept once."""
    carried, after = 0, None
    while True:
        page = source.list_audit(AuditFilter(first=MAX_PAGE_SIZE, after=after))
        if page.items:
            target.append_audit(page.items)
            carried += len(page.items)
            if advance is not None:
                advance(len(page.items))
        if page.next_cursor is None or not page.items:
            return carried
        after = page.next_cursor
