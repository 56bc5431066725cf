"""Use cases of access control and the audit log: issue and revoke keys, record exports.

Every change of who may call the service, and every export of personal data, leaves an audit
entry naming who did it; the API and the CLI both go through here so neither can forget.

    issued = create_key(store, "crm-sync", ["ingest"], actor="cli:ann")
    print(issued.token)     # shown once; the store keeps only its hash
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from datetime import UTC, datetime

from datora_graph.domain.access import ApiKey, IssuedKey, hash_token, issue_key
from datora_graph.domain.audit import AuditFilter, AuditPage, new_audit_entry
from datora_graph.domain.errors import Conflict, NotFound
from datora_graph.domain.segments import Segment
from datora_graph.store.base import GraphStore


def cli_actor() -> str:
    """`cli:<os user>`: who acts when a command runs on the server's machine."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"cli:{user}"


def create_key(store: GraphStore, name: str, scopes: Iterable[str], actor: str) -> IssuedKey:
    issued = issue_key(name, scopes)
    entry = new_audit_entry(
        actor,
        "key_create",
        f"created API key {name!r}",
        subject=name,
        details={"scopes": sorted(issued.key.scopes), "last4": issued.key.last4},
        at=issued.key.created_at,
    )
    store.create_api_key(issued.key, audit=[entry])
    return issued


def revoke_key(store: GraphStore, name: str, actor: str) -> ApiKey:
    """Revoke the named key at once (the next request with it is refused); NotFound for an
    unknown name, Conflict when it was revoked before."""
    known = {key.name: key for key in store.list_api_keys()}
    if name not in known:
        raise NotFound(f"no API key is named {name!r}; `datora keys list` shows them")
    if not known[name].active:
        raise Conflict(f"the API key {name!r} was already revoked at {known[name].revoked_at}")
    key, now = known[name], datetime.now(UTC)
    entry = new_audit_entry(
        actor,
        "key_revoke",
        f"revoked API key {name!r}",
        subject=name,
        details={"scopes": sorted(key.scopes), "last4": key.last4},
        at=now,
    )
    revoked = store.revoke_api_key(name, now, audit=[entry])
    if revoked is None:
        raise NotFound(f"no API key is named {name!r}")
    return revoked


def key_for_token(store: GraphStore, token: str) -> ApiKey | None:
    return store.api_key_by_hash(hash_token(token))


def record_export(
    store: GraphStore, actor: str, segment: Segment, identifier_type: str, target: str
) -> None:
    """Log an export of a segment's contacts before the first row leaves."""
    store.append_audit(
        [
            new_audit_entry(
                actor,
                "segment_export",
                f"exported the {identifier_type} contacts of segment {segment.name!r}",
                subject=segment.id,
                details={
                    "segment": segment.name,
                    "identifier": identifier_type,
                    "purpose": segment.purpose,
                    "to": target,
                },
            )
        ]
    )


def audit_log(store: GraphStore, query: AuditFilter) -> AuditPage:
    return store.list_audit(query)
