"""API keys and the audit log on Neo4j: a mixin of `Neo4jStore`.

Keys are `:ApiKey` nodes, entries `:AuditEntry` nodes linked to an `:AuditProfile` per profile
ID they name (an index-backed by-profile filter). None of these labels is derived, so a rebuild
(`delete_derived_batch`) leaves them. The statements are in `cypher/`, named in `neo4j_cypher`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from neo4j import ManagedTransaction
from neo4j.exceptions import ConstraintError

from datora_graph.domain.access import ApiKey
from datora_graph.domain.audit import AuditEntry, AuditFilter, AuditPage
from datora_graph.domain.errors import Conflict
from datora_graph.domain.records import iso
from datora_graph.store.access_rows import (
    audit_from_row,
    audit_page,
    audit_params,
    audit_row,
    key_from_row,
    key_row,
)
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER

AUDIT_ROWS_PER_STATEMENT = 5_000
_KEY_FIELDS = ("name", "token_hash", "scopes", "last4", "created_at", "revoked_at")
_AUDIT_FIELDS = ("id", "at", "actor", "action", "reason", "subject", "before", "after", "details")


class Neo4jAccess:
    """The keys-and-audit part of `Neo4jStore`; see store/base.py for what each promises."""

    _neo4j: Neo4jConnection

    def create_api_key(self, key: ApiKey, audit: Sequence[AuditEntry] = ()) -> None:
        row = key_row(key)

        def work(tx: ManagedTransaction) -> None:
            tx.run(CYPHER.insert_api_key, row).consume()
            write_audit(tx, audit)

        try:
            self._neo4j.execute_write(work)
        except ConstraintError:
            raise Conflict(
                f"an API key named {key.name!r} exists (or existed); pick another name"
            ) from None

    def list_api_keys(self) -> list[ApiKey]:
        def work(tx: ManagedTransaction) -> list[ApiKey]:
            return [_key(r) for r in tx.run(CYPHER.list_api_keys)]

        return self._neo4j.execute_read(work)

    def api_key_by_hash(self, token_hash: str) -> ApiKey | None:
        def work(tx: ManagedTransaction) -> ApiKey | None:
            record = tx.run(CYPHER.api_key_by_hash, {"token_hash": token_hash}).single()
            return _key(record) if record is not None else None

        return self._neo4j.execute_read(work)

    def revoke_api_key(
        self, name: str, at: datetime, audit: Sequence[AuditEntry] = ()
    ) -> ApiKey | None:
        def work(tx: ManagedTransaction) -> ApiKey | None:
            params = {"name": name, "revoked_at": iso(at)}
            record = tx.run(CYPHER.revoke_api_key, params).single()
            if record is None:
                return None
            write_audit(tx, audit)
            return _key(record)

        return self._neo4j.execute_write(work)

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        if entries:
            self._neo4j.execute_write(lambda tx: write_audit(tx, entries))

    def set_audit_details(self, audit_id: str, details: Mapping[str, object]) -> None:
        params = {"id": audit_id, "details": json.dumps(dict(details), sort_keys=True)}
        self._neo4j.execute_write(lambda tx: tx.run(CYPHER.set_audit_details, params).consume())

    def list_audit(self, query: AuditFilter) -> AuditPage:
        params = dict(audit_params(query))
        statement = CYPHER.list_audit
        if query.profile_id is None:
            del params["profile_id"]
        else:
            statement = CYPHER.list_audit_of_profile

        def work(tx: ManagedTransaction) -> list[AuditEntry]:
            return [_entry(r) for r in tx.run(statement, params)]

        return audit_page(self._neo4j.execute_read(work), query.first)


def write_audit(tx: ManagedTransaction, entries: Sequence[AuditEntry]) -> None:
    """Audit entries, inside the caller's transaction; an ID already stored is kept as it was."""
    rows = [audit_row(entry) for entry in entries]
    for start in range(0, len(rows), AUDIT_ROWS_PER_STATEMENT):
        chunk = rows[start : start + AUDIT_ROWS_PER_STATEMENT]
        tx.run(CYPHER.append_audit, {"rows": chunk}).consume()


def _key(record: Any) -> ApiKey:
    return key_from_row([record[name] for name in _KEY_FIELDS])


def _entry(record: Any) -> AuditEntry:
    return audit_from_row([record[name] for name in _AUDIT_FIELDS])
