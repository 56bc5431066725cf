"""Events and consent statements keyed again after the key rules changed, on Neo4j: a mixin of
`Neo4jStore` (see record_keys.py for why, and store/base.py for what it promises).

An event is found by the `:EventKey` nodes it CARRIES and credits its first key's
`:KeyActivity`; a consent statement is a `:ConsentStatement` keyed like the `:Consent` in
force. A rebuild calls this after its reset, so no `:Profile` holds activity sums to recount.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from neo4j import ManagedTransaction

from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.key_rules import rekey_event
from datora_graph.domain.records import iso
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_rows import Row, activity_sums, chunked, unwind
from datora_graph.store.neo4j_segments import write_consent

ROWS_PER_STATEMENT = 10_000


class Neo4jRekey:
    """The re-keying part of `Neo4jStore`."""

    _neo4j: Neo4jConnection

    def stored_record_keys(self, after: str, limit: int) -> list[str]:
        def work(tx: ManagedTransaction) -> list[str]:
            page = {"after": after, "limit": limit}
            return [
                str(record["key"])
                for statement in (CYPHER.record_keys_of_events, CYPHER.record_keys_of_consent)
                for record in tx.run(statement, page)
            ]

        # The first `limit` keys of either kind past `after` hold the first `limit` of both.
        return sorted(set(self._neo4j.execute_read(work)))[:limit]

    def rekey_records(self, changes: Mapping[str, str]) -> None:
        if not changes:
            return
        recorded = iso(datetime.now(UTC))
        with self._neo4j.writing():
            self._neo4j.execute_write(lambda tx: _rekey(tx, changes, recorded))


def _rekey(tx: ManagedTransaction, changes: Mapping[str, str], recorded: str) -> None:
    old = list(changes)
    rewritten: list[Row] = []
    keyed: list[Row] = []
    credits: list[tuple[str, str, str, int | None]] = []
    seen: set[str] = set()  # an event naming old keys of two chunks is found twice
    for chunk in chunked(old, ROWS_PER_STATEMENT):
        for record in tx.run(CYPHER.rekey_events_of_keys, {"keys": list(chunk)}):
            if record["id"] in seen:
                continue
            seen.add(record["id"])
            event = rekey_event(record["identifiers"], changes)
            credited = changes.get(record["credited_key"], record["credited_key"])
            rewritten.append(
                {"id": record["id"], "identifiers": event.identifiers, "gone": list(event.gone)}
            )
            keyed.append({"id": record["id"], "credited_key": credited, "added": list(event.added)})
            if credited != record["credited_key"]:
                credits.append(
                    (credited, record["type"], record["occurred_at"], record["revenue_cents"])
                )
    unwind(tx, CYPHER.erase_rewrite_events, "rows", rewritten)
    unwind(tx, CYPHER.rekey_event_keys, "rows", keyed)
    # Every event credited to an old key was found above and credited to its new key.
    unwind(tx, CYPHER.erase_key_activity, "keys", old)
    unwind(tx, CYPHER.upsert_key_activity, "rows", activity_sums(credits))
    unwind(tx, CYPHER.erase_event_keys, "keys", old)  # none CARRIES them now

    moves = [{"old": key, "new": new} for key, new in changes.items()]
    unwind(tx, CYPHER.rekey_consent_statements, "changes", moves)
    unwind(tx, CYPHER.erase_consent, "keys", [*old, *changes.values()])
    statements = [
        ConsentStatement(
            Identifier.from_key(record["key"]),
            record["purpose"],
            "granted" if record["granted"] else "withdrawn",
            datetime.fromisoformat(record["stated_at"]),
            record["source"],
        )
        for chunk in chunked(sorted(set(changes.values())), ROWS_PER_STATEMENT)
        for record in tx.run(CYPHER.consent_statements_of_keys, {"keys": list(chunk)})
    ]
    # Kept already (record_consent matches them); the consent in force is decided again.
    write_consent(tx, statements, recorded)
