"""API keys and the audit log: stored, found, paged and filtered alike in every store, and kept
by a rebuild (neither is derived from the observation log)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from datora_graph.domain.access import hash_token, issue_key
from datora_graph.domain.audit import (
    AuditEntry,
    AuditFilter,
    merge_audit_entries,
    new_audit_entry,
)
from datora_graph.domain.changeset import Changeset, Merge, ProfileWrite
from datora_graph.domain.errors import Conflict, InvalidInput
from datora_graph.store.base import GraphStore

from .builders import merged_state, seed
from .conftest import StoreOpener

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_key_is_found_by_the_hash_of_its_token(store: GraphStore) -> None:
    issued = issue_key("crm-sync", ["ingest", "read"], now=at(0))
    store.create_api_key(issued.key)

    found = store.api_key_by_hash(hash_token(issued.token))

    assert found == issued.key
    assert found is not None
    assert found.scopes == {"ingest", "read"}
    assert found.active
    assert store.api_key_by_hash(hash_token(issued.token + "x")) is None


def test_the_token_itself_is_not_stored(store_opener: StoreOpener) -> None:
    store = store_opener.open()
    issued = issue_key("web", ["read"])
    store.create_api_key(issued.key)

    listed = store.list_api_keys()

    assert issued.token not in repr(listed)
    assert listed[0].last4 == issued.token[-4:]


def test_a_name_is_used_once_even_after_revocation(store: GraphStore) -> None:
    store.create_api_key(issue_key("web", ["read"]).key)
    store.revoke_api_key("web", at(1))

    with pytest.raises(Conflict, match="web"):
        store.create_api_key(issue_key("web", ["admin"]).key)
    assert [k.name for k in store.list_api_keys()] == ["web"]


def test_revoking_keeps_the_first_time_and_names_unknown_keys(store: GraphStore) -> None:
    store.create_api_key(issue_key("b-key", ["read"]).key)
    store.create_api_key(issue_key("a-key", ["steward"]).key)

    first = store.revoke_api_key("b-key", at(5))
    again = store.revoke_api_key("b-key", at(9))

    assert first is not None
    assert first.revoked_at == at(5)
    assert not first.active
    assert again is not None
    assert again.revoked_at == at(5)
    assert store.revoke_api_key("nobody", at(5)) is None
    assert [(k.name, k.active) for k in store.list_api_keys()] == [
        ("a-key", True),
        ("b-key", False),
    ]


def entries() -> list[AuditEntry]:
    return [
        new_audit_entry("crm", "merge", "shared email", ("p1", "p2"), ("p1",), at=at(1)),
        new_audit_entry("ann", "split", "kiosk", ("p1",), ("p1", "p3"), "dec_1", at=at(2)),
        new_audit_entry("ann", "undo", "oops", ("p1", "p3"), ("p1",), "dec_2", at=at(3)),
        new_audit_entry("cli:root", "key_create", "new key", subject="web", at=at(4)),
        new_audit_entry(
            "web", "segment_export", "emails", subject="seg_1", details={"n": 3}, at=at(5)
        ),
    ]


def test_the_log_lists_newest_first_with_everything_kept(store: GraphStore) -> None:
    written = entries()
    store.append_audit(written)

    page = store.list_audit(AuditFilter())

    assert list(page.items) == list(reversed(written))
    assert page.next_cursor is None


def test_pages_follow_the_cursor_without_gaps_or_repeats(store: GraphStore) -> None:
    written = entries()
    same_time = [
        new_audit_entry("bot", "merge", "same", ("x",), ("x",), at=at(5)) for _ in range(4)
    ]
    store.append_audit(written + same_time)
    seen: list[str] = []
    cursor: str | None = None

    while True:
        page = store.list_audit(AuditFilter(first=3, after=cursor))
        seen += [e.id for e in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    expected = sorted(written + same_time, key=lambda e: (e.at, e.id), reverse=True)
    assert seen == [e.id for e in expected]


def test_filters_combine(store: GraphStore) -> None:
    store.append_audit(entries())

    def actions(query: AuditFilter) -> list[str]:
        return [e.action for e in store.list_audit(query).items]

    assert actions(AuditFilter(actor="ann")) == ["undo", "split"]
    assert actions(AuditFilter(action="merge")) == ["merge"]
    assert actions(AuditFilter(profile_id="p3")) == ["undo", "split"]
    assert actions(AuditFilter(profile_id="p2")) == ["merge"]
    assert actions(AuditFilter(subject="web")) == ["key_create"]
    assert actions(AuditFilter(since=at(2), until=at(4))) == ["undo", "split"]
    assert actions(AuditFilter(actor="ann", profile_id="p2")) == []


def test_appending_an_entry_twice_keeps_one(store: GraphStore) -> None:
    entry = entries()[0]
    store.append_audit([entry])
    store.append_audit([entry])

    assert [e.id for e in store.list_audit(AuditFilter()).items] == [entry.id]


def test_a_rebuild_keeps_keys_and_the_log(store: GraphStore) -> None:
    issued = issue_key("web", ["read"])
    store.create_api_key(issued.key)
    store.append_audit(entries())

    store.reset_derived()
    store.finish_rebuild()

    assert store.api_key_by_hash(issued.key.token_hash) == issued.key
    assert len(store.list_audit(AuditFilter()).items) == len(entries())


def test_keys_and_entries_survive_reopening(store_opener: StoreOpener) -> None:
    store = store_opener.open()
    issued = issue_key("web", ["read"])
    store.create_api_key(issued.key)
    store.append_audit(entries())

    reopened = store_opener.reopen(store)

    assert reopened.list_api_keys() == [issued.key]
    assert len(reopened.list_audit(AuditFilter()).items) == len(entries())


def test_a_cursor_from_another_list_is_refused() -> None:
    with pytest.raises(InvalidInput, match="after"):
        AuditFilter(after="WyJub3BlIl0")


def test_a_changeset_commits_its_audit_entries_with_it(store: GraphStore) -> None:
    """The merges of an ingest are audited in the batch's own transaction."""
    ann = seed(store, "prf_ann", ["email:ann@acme.io"], seq=1)
    bob = seed(store, "prf_bob", ["email:bob@acme.io"], seq=2)
    merge = Merge("prf_bob", "prf_ann", "obs-3", at(3))
    audit = merge_audit_entries([merge], "crm-sync")

    store.commit(
        Changeset(
            merges=[merge],
            profiles=[ProfileWrite(merged_state(ann.state, bob.state), {}, at(3))],
            audit=audit,
        )
    )

    assert list(store.list_audit(AuditFilter()).items) == audit
    assert [e.action for e in store.list_audit(AuditFilter(profile_id="prf_bob")).items] == [
        "merge"
    ]


def test_a_key_change_and_its_audit_entry_are_written_together(store: GraphStore) -> None:
    issued = issue_key("crm-sync", ["ingest"], now=at(0))
    created = new_audit_entry("cli:ann", "key_create", "new key", subject="crm-sync", at=at(0))
    store.create_api_key(issued.key, audit=[created])
    refused = new_audit_entry("cli:ann", "key_create", "again", subject="crm-sync", at=at(1))
    with pytest.raises(Conflict):
        store.create_api_key(issue_key("crm-sync", ["read"]).key, audit=[refused])
    revoked = new_audit_entry("cli:ann", "key_revoke", "leaked", subject="crm-sync", at=at(2))
    nobody = new_audit_entry("cli:ann", "key_revoke", "typo", subject="crm-snyc", at=at(3))

    assert store.revoke_api_key("crm-sync", at(2), audit=[revoked]) is not None
    assert store.revoke_api_key("crm-snyc", at(3), audit=[nobody]) is None
    assert list(store.list_audit(AuditFilter()).items) == [revoked, created]


def test_a_key_stored_revoked_stays_revoked(store: GraphStore) -> None:
    """What a migration does with a key revoked in the source."""
    issued = issue_key("old-web", ["read"], now=at(0))
    store.create_api_key(replace(issued.key, revoked_at=at(5)))

    found = store.api_key_by_hash(hash_token(issued.token))

    assert found is not None
    assert found.revoked_at == at(5)
    assert not found.active


def test_a_time_window_pages_through_entries_of_one_moment(store: GraphStore) -> None:
    """`until` leaves out every entry of its own moment, whatever its ID; paging inside the
    window goes on by ID among entries of one moment, and stops at the window's end."""
    same_time = [new_audit_entry("bot", "merge", "", ("x",), ("x",), at=at(5)) for _ in range(4)]
    earlier = new_audit_entry("bot", "split", "", ("y",), ("y",), at=at(4))
    later = new_audit_entry("bot", "undo", "", ("z",), ("z",), at=at(6))
    store.append_audit([earlier, *same_time, later])

    def paged(query: AuditFilter) -> list[str]:
        seen: list[str] = []
        while True:
            page = store.list_audit(query)
            seen += [e.id for e in page.items]
            if page.next_cursor is None:
                return seen
            query = AuditFilter(
                since=query.since, until=query.until, first=3, after=page.next_cursor
            )

    assert paged(AuditFilter(until=at(5), first=3)) == [earlier.id]
    assert paged(AuditFilter(since=at(5), until=at(6), first=3)) == sorted(
        (e.id for e in same_time), reverse=True
    )
    assert paged(AuditFilter(since=at(5), first=3)) == [
        later.id,
        *sorted((e.id for e in same_time), reverse=True),
    ]
