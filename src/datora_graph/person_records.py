"""Reads of what the store keeps about one person that an erasure and an access request both
make: the two must agree, so that what a person is shown is what an erasure removes."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from datora_graph.domain.audit import AuditEntry, AuditFilter
from datora_graph.domain.erasure import mentions_any
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import MAX_PAGE_SIZE, GoldenProfile, RejectionFilter
from datora_graph.domain.records import Rejection
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore


def folded_reason(reason: str) -> str:
    """A privacy request's reason, its whitespace folded; InvalidInput when it is blank."""
    folded = " ".join(reason.split())
    if not folded:
        raise InvalidInput("reason", "is required: say why, for the audit log")
    return folded


def person_profile(
    identity: IdentityService, reference: str, reason: str, to: str
) -> GoldenProfile:
    """The profile a privacy request names (ID, alias or `type:value`); NotFound when none
    does. InvalidInput for a junk value's profile, which is nobody's (there is no person `to`
    erase, answer for), and for a reason that quotes one of the person's identifiers: the
    audit log keeps the reason for good."""
    profile = identity.lookup(reference)
    if profile.junk:
        raise InvalidInput(
            "profile",
            f"{profile.id} holds only a junk value, which is nobody's data; there is no person "
            f"to {to}",
        )
    if mentions_any(reason, [i.identifier.key for i in profile.identifiers]):
        raise InvalidInput(
            "reason",
            "quotes one of the person's identifiers, and the audit log keeps the reason after "
            "the person is gone: say why without it (a request number)",
        )
    return profile


def rejections_mentioning(
    store: GraphStore, keys: Collection[str]
) -> Iterator[tuple[int, Rejection]]:
    """The kept rejected items (with their positions) whose text mentions one of the
    identifier `keys` (`mentions_any`), a page at a time: a rejected item names no profile,
    so every one is read."""
    after = 0
    while True:
        page = store.list_rejections(RejectionFilter(after=after, limit=MAX_PAGE_SIZE))
        yield from ((seq, item) for seq, item in page.items if mentions_any(item.payload, keys))
        if page.next_after is None:
            return
        after = page.next_after


def audit_about(
    store: GraphStore, *, subject: str | None = None, profile_id: str | None = None
) -> Iterator[AuditEntry]:
    """Every audit entry that matches the filters given (its subject is `subject`; it names
    `profile_id` before or after its action), newest first, a page at a time."""
    after = None
    while True:
        query = AuditFilter(
            subject=subject, profile_id=profile_id, first=MAX_PAGE_SIZE, after=after
        )
        page = store.list_audit(query)
        yield from page.items
        if page.next_cursor is None:
            return
        after = page.next_cursor
