"""Keys, scopes, audit entries and what a caller without `read:pii` sees: the pure rules."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from datora_graph.domain.access import SCOPES, grants, hash_token, issue_key, parse_scopes
from datora_graph.domain.audit import (
    AuditFilter,
    audit_cursor,
    audit_cursor_position,
    merge_audit_entries,
    new_audit_entry,
)
from datora_graph.domain.changeset import Merge
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.pii import MASK, mask_attributes, mask_key, mask_profile
from datora_graph.domain.profiles import GoldenProfile, ProfileIdentifier

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_a_token_is_random_and_only_its_hash_is_kept() -> None:
    one, two = issue_key("web", ["read"], now=NOW), issue_key("web", ["read"], now=NOW)

    assert one.token != two.token
    assert one.token.startswith("dtr_")
    assert len(one.token) >= 4 + 43  # 32 random bytes in URL-safe base64
    assert one.key.token_hash == hashlib.sha256(one.token.encode()).hexdigest()
    assert one.key.token_hash == hash_token(one.token)
    assert one.token not in repr(one.key)
    assert one.key.last4 == one.token[-4:]


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        ({"admin"}, "steward", True),
        ({"admin"}, "read:pii", True),
        ({"read:pii"}, "read", True),
        ({"read"}, "read:pii", False),
        ({"ingest"}, "read", False),
        ({"steward"}, "read", False),
        ({"steward"}, "admin", False),
        ({"read", "ingest"}, "ingest", True),
    ],
)
def test_scopes_imply_only_what_they_say(held: set[str], needed: str, allowed: bool) -> None:
    assert grants(frozenset(held), needed) is allowed


def test_every_scope_implies_itself() -> None:
    assert all(grants(frozenset({scope}), scope) for scope in SCOPES)


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [
        ("web", ["write"], "scope"),
        ("web", [], "scope"),
        ("", ["read"], "name"),
        ("has space", ["read"], "name"),
        ("x" * 65, ["read"], "name"),
    ],
)
def test_bad_keys_are_refused_naming_the_part(name: str, scopes: list[str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        issue_key(name, scopes)
    assert refused.value.field == field


def test_scopes_are_trimmed() -> None:
    assert parse_scopes([" read ", "ingest"]) == {"read", "ingest"}


def test_an_audit_entry_is_checked_and_stamped_in_utc() -> None:
    oslo = timezone(timedelta(hours=1))
    entry = new_audit_entry("web", "split", "kiosk", ["p1"], ["p1", "p2"], at=NOW.astimezone(oslo))

    assert entry.at == NOW
    assert entry.at.tzinfo == UTC
    assert entry.id.startswith("aud_")
    assert len(entry.id) == 24
    assert entry.before == ("p1",)
    with pytest.raises(InvalidInput, match="action"):
        new_audit_entry("web", "dance", "why")
    with pytest.raises(InvalidInput, match="actor"):
        new_audit_entry("", "split", "why")
    with pytest.raises(InvalidInput, match="details"):
        new_audit_entry("web", "split", "why", details={"when": NOW})


def test_an_audit_cursor_round_trips_and_other_cursors_are_refused() -> None:
    entry = new_audit_entry("web", "merge", "r", at=NOW)

    assert audit_cursor_position(audit_cursor(entry)) == (NOW, entry.id)
    with pytest.raises(InvalidInput, match="after"):
        AuditFilter(after="not a cursor")
    with pytest.raises(InvalidInput, match="first"):
        AuditFilter(first=0)
    with pytest.raises(InvalidInput, match="since"):
        AuditFilter(since=datetime(2026, 1, 1))


def test_each_automatic_merge_is_one_entry() -> None:
    merges = [Merge("p2", "p1", "o3", NOW), Merge("p4", "p1", "o3", NOW, "fuzzy match")]

    entries = merge_audit_entries(merges, "crm")

    assert [(e.action, e.actor, e.before, e.after, e.subject) for e in entries] == [
        ("merge", "crm", ("p2", "p1"), ("p1",), "o3"),
        ("merge", "crm", ("p4", "p1"), ("p1",), "o3"),
    ]
    assert entries[1].reason == "fuzzy match"


def test_masking_keeps_the_shape_and_hides_the_values() -> None:
    profile = GoldenProfile(
        id="p1",
        attributes={"first_name": "Ann", "birth_date": "1990-01-01"},
        size=1,
        created_at=NOW,
        updated_at=NOW,
        identifiers=[ProfileIdentifier(Identifier("email", "ann@acme.io"), False, NOW)],
    )

    masked = mask_profile(profile)

    assert masked.attributes == {"first_name": MASK, "birth_date": MASK}
    assert masked.identifiers[0].identifier == Identifier("email", MASK)
    assert masked.identifiers[0].identifier.key == "email:***"
    assert (masked.id, masked.size) == (profile.id, profile.size)
    assert mask_key("phone:+14155550101") == "phone:***"
    assert mask_attributes({}) == {}
