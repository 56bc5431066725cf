"""Redaction on Neo4j: a mixin of `Neo4jStore` taking fields out of one logged record, with
what was derived from it, in one write transaction (see domain/redaction.py). The statements
are the `redaction_*` files of `cypher/`.

An observation's profiles are written as a steward's are (steward_write_profiles replaces the
node's properties, so their activity sums are recounted after, as a steward's write does). An
event's revenue is counted on its node, in its key's `:KeyActivity` and in the `act_*` sums of
the profile holding that key: the node is rewritten, the key's sum moved by the difference and
the profile recounted (`recount_activity`). The steward decisions whose snapshots held an
observation's removed values get their scrubbed bodies as an erasure's redacted ones do
(`erase_redact_decisions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import LiteralString

from neo4j import ManagedTransaction

from datora_graph.domain.errors import NotFound
from datora_graph.domain.redaction import EventRedaction, ObservationRedaction
from datora_graph.domain.traits import to_cents
from datora_graph.store.cypher_files import load_statements
from datora_graph.store.neo4j_access import write_audit
from datora_graph.store.neo4j_activity import recount_activity
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_erasure import ROWS_PER_STATEMENT
from datora_graph.store.neo4j_rows import PROPERTY_PREFIX, chunked, filterable_map
from datora_graph.store.neo4j_steward import STEWARD, profile_write_row
from datora_graph.store.steward_rows import decision_body


@dataclass(frozen=True, slots=True)
class RedactionStatements:
    redaction_logged_observation: LiteralString
    redaction_event_properties: LiteralString
    redaction_rewrite_observation: LiteralString
    redaction_rewrite_event: LiteralString
    redaction_move_key_revenue: LiteralString


REDACTION = load_statements(RedactionStatements)


class Neo4jRedaction:
    """The redaction part of `Neo4jStore`; see store/base.py for what each method promises."""

    _neo4j: Neo4jConnection

    def logged_observation(self, observation_id: str) -> tuple[int, str] | None:
        def work(tx: ManagedTransaction) -> tuple[int, str] | None:
            params = {"id": observation_id}
            record = tx.run(REDACTION.redaction_logged_observation, params).single()
            return None if record is None else (int(record["seq"]), str(record["payload"]))

        return self._neo4j.execute_read(work)

    def event_properties(self, event_id: str) -> str | None:
        def work(tx: ManagedTransaction) -> str | None:
            params = {"id": event_id}
            record = tx.run(REDACTION.redaction_event_properties, params).single()
            return None if record is None else str(record["properties"])

        return self._neo4j.execute_read(work)

    def redact_observation(self, redaction: ObservationRedaction) -> None:
        def work(tx: ManagedTransaction) -> None:
            params = {"seq": redaction.seq, "payload": redaction.payload}
            record = tx.run(REDACTION.redaction_rewrite_observation, params).single()
            if record is None or int(record["rewritten"]) != 1:
                raise NotFound(f"no observation is logged at position {redaction.seq}")
            rows = [profile_write_row(p) for p in redaction.profiles]
            if rows:
                tx.run(STEWARD.steward_write_profiles, {"rows": rows}).consume()
                recount_activity(tx, [p.id for p in redaction.profiles], ())
            bodies = [
                {"id": d.id, "body": decision_body(d, d.created)} for d in redaction.decisions
            ]
            for chunk in chunked(bodies, ROWS_PER_STATEMENT):
                tx.run(CYPHER.erase_redact_decisions, {"rows": list(chunk)}).consume()
            write_audit(tx, [redaction.audit])

        with self._neo4j.writing():
            self._neo4j.execute_write(work)

    def redact_event(self, redaction: EventRedaction) -> None:
        properties = json.loads(redaction.properties)
        cents = to_cents(properties.get("revenue"))
        params = {
            "id": redaction.event_id,
            "properties": redaction.properties,
            "filterable": filterable_map(properties, PROPERTY_PREFIX),
            "revenue_cents": cents,
        }

        def work(tx: ManagedTransaction) -> None:
            record = tx.run(REDACTION.redaction_rewrite_event, params).single()
            if record is None:
                raise NotFound(f"no event {redaction.event_id} is stored")
            delta = (cents or 0) - (record["old_cents"] or 0)
            key = record["credited_key"]
            if delta and key is not None:
                moved = {"key": key, "type": record["type"], "delta": delta}
                tx.run(REDACTION.redaction_move_key_revenue, moved).consume()
                recount_activity(tx, (), [key])
            write_audit(tx, [redaction.audit])

        with self._neo4j.writing():
            self._neo4j.execute_write(work)
