"""Steward decisions on Neo4j: a mixin of `Neo4jStore`.

Must-links are `:MustLink` nodes and the decision log `:StewardDecision` nodes (body as JSON);
neither is derived from the observation log, so a rebuild leaves them, as it leaves
`:CannotLink`. A review item keeps its resolution on its node. A decision is one managed write
transaction: the graph changes and the log entry commit together. The statements are the
`steward_*` files of `cypher/`; their indexes are created when the store starts, with the
others (`Neo4jStore._prepare`). Identifiers that move take their activity with them
(`neo4j_activity.recount_activity`), as in a changeset.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, LiteralString

from neo4j import ManagedTransaction
from neo4j.exceptions import ConstraintError

from datora_graph.domain.errors import Conflict
from datora_graph.domain.records import from_iso, iso
from datora_graph.domain.steward import (
    Decision,
    DecisionPage,
    EvidenceEdge,
    GraphSlice,
    ProfileRecord,
    StewardChange,
)
from datora_graph.domain.survivorship import candidates_from_json
from datora_graph.store import neo4j_rows as rows
from datora_graph.store.cypher_files import load_statements
from datora_graph.store.neo4j_access import write_audit
from datora_graph.store.neo4j_activity import recount_activity
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.steward_rows import (
    decision_body,
    decision_from_row,
    evidence_to_json,
    profile_to_json,
)

ROWS_PER_STATEMENT = 10_000
CANNOT_LINK_ID = "next_cannot_link_id"
MUST_LINK_ID = "next_must_link_id"
MERGE_ID = "next_merge_id"
DECISION_SEQ = "next_steward_decision_seq"


@dataclass(frozen=True, slots=True)
class StewardStatements:
    steward_schema_must_link_pair: LiteralString
    steward_schema_must_link_id: LiteralString
    steward_schema_cannot_link_id: LiteralString
    steward_schema_decision_id: LiteralString
    steward_schema_decision_seq: LiteralString
    steward_schema_merge_observation: LiteralString
    steward_slice_profiles: LiteralString
    steward_slice_identifiers: LiteralString
    steward_slice_aliases: LiteralString
    steward_slice_evidence: LiteralString
    steward_write_profiles: LiteralString
    steward_assign_identifiers: LiteralString
    steward_delete_aliases: LiteralString
    steward_delete_evidence: LiteralString
    steward_put_evidence: LiteralString
    steward_insert_cannot_links: LiteralString
    steward_insert_must_links: LiteralString
    steward_delete_cannot_links: LiteralString
    steward_delete_must_links: LiteralString
    steward_delete_merges_of: LiteralString
    steward_reverse_merges: LiteralString
    steward_delete_merges_absorbing: LiteralString
    steward_set_review_items: LiteralString
    steward_insert_decision: LiteralString
    steward_mark_undone: LiteralString
    steward_get_decisions: LiteralString
    steward_list_decisions: LiteralString

    def schema(self) -> list[LiteralString]:
        return [getattr(self, f.name) for f in fields(self) if f.name.startswith("steward_schema_")]


STEWARD = load_statements(StewardStatements)


class Neo4jSteward:
    """The steward half of `Neo4jStore`; see store/base.py for what each method promises."""

    _neo4j: Neo4jConnection

    def profile_slice(self, profile_ids: Collection[str]) -> GraphSlice:
        ids = sorted(set(profile_ids))
        return self._neo4j.guarded_read(lambda tx: _slice(tx, ids))

    def apply_steward_change(self, change: StewardChange) -> Decision:
        now = iso(datetime.now(UTC))
        try:
            with self._neo4j.writing():
                # A split of a large profile rewrites all of it: bounded as a batch is.
                self._neo4j.execute_bulk_write(lambda tx: _write_change(tx, change, now))
        except ConstraintError as exc:
            raise Conflict(
                f"the decision was not stored, nothing of it was kept: {exc.message or exc}"
            ) from exc
        if not change.record:
            return change.decision
        return self.get_decisions([change.decision.id])[change.decision.id]

    def get_decisions(self, ids: Collection[str]) -> dict[str, Decision]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}

        def work(tx: ManagedTransaction) -> dict[str, Decision]:
            result = tx.run(STEWARD.steward_get_decisions, {"ids": wanted})
            return {r["id"]: _decision(r) for r in result}

        return self._neo4j.execute_read(work)

    def list_decisions(self, after: int, limit: int) -> DecisionPage:

        def work(tx: ManagedTransaction) -> list[Decision]:
            params = {"after": after, "limit": limit + 1}
            return [_decision(r) for r in tx.run(STEWARD.steward_list_decisions, params)]

        found = self._neo4j.execute_read(work)
        decisions = found[:limit]
        return DecisionPage(decisions, decisions[-1].seq if len(found) > limit else None)


def _decision(record: Any) -> Decision:
    return decision_from_row(
        record["id"], record["kind"], int(record["seq"]), record["body"], record["undone_by"]
    )


def _slice(tx: ManagedTransaction, ids: list[str]) -> GraphSlice:
    profiles = [_profile(r) for r in tx.run(STEWARD.steward_slice_profiles, {"ids": ids})]
    assignments: dict[str, str] = {}
    first_seen: dict[str, datetime] = {}
    junk: set[str] = set()
    for r in tx.run(STEWARD.steward_slice_identifiers, {"ids": ids}):
        assignments[r["key"]] = r["profile_id"]
        first_seen[r["key"]] = from_iso(r["first_seen"])
        if r["junk"]:
            junk.add(r["key"])
    aliases = {
        r["alias"]: r["profile_id"] for r in tx.run(STEWARD.steward_slice_aliases, {"ids": ids})
    }
    evidence: list[EvidenceEdge] = []
    for chunk in rows.chunked(sorted(assignments), ROWS_PER_STATEMENT):
        for r in tx.run(STEWARD.steward_slice_evidence, {"keys": list(chunk)}):
            evidence.append(
                EvidenceEdge(
                    r["a"],
                    r["b"],
                    r["source"],
                    int(r["count"]),
                    from_iso(r["first_seen"]),
                    from_iso(r["last_seen"]),
                    r["kind"],
                    r["status"],
                    r["score"],
                )
            )
    unique = {(e.a, e.b, e.source): e for e in evidence}
    return GraphSlice(
        tuple(sorted(profiles, key=lambda p: p.id)),
        assignments,
        aliases,
        tuple(unique[k] for k in sorted(unique)),
        first_seen,
        frozenset(junk),
    )


def _profile(r: Any) -> ProfileRecord:
    return ProfileRecord(
        id=r["id"],
        size=int(r["size"]),
        type_counts=json.loads(r["type_counts"]),
        created_seq=int(r["created_seq"]),
        created_at=from_iso(r["created_at"]),
        updated_at=from_iso(r["updated_at"]),
        junk=bool(r["junk"]),
        attributes=json.loads(r["attributes"]),
        candidates=candidates_from_json(r["candidates"]),
    )


def profile_write_row(record: ProfileRecord) -> dict[str, Any]:
    """A profile row as steward_write_profiles takes it (a redaction writes them too)."""
    row = profile_to_json(record)
    row["type_counts"] = json.dumps(row["type_counts"], sort_keys=True)
    row["attributes"] = json.dumps(row["attributes"], sort_keys=True, ensure_ascii=False)
    # Segments and traits filter on these, as for a profile the engine writes (upsert_profiles).
    row["filterable"] = rows.filterable_map(record.attributes, rows.ATTRIBUTE_PREFIX)
    row["identifier_types"] = sorted(t for t, n in record.type_counts.items() if n > 0)
    return row


def _evidence_row(edge: EvidenceEdge) -> dict[str, Any]:
    a, b, source, count, first, last, kind, status, score = evidence_to_json(edge)
    return {
        "a": a,
        "b": b,
        "source": source,
        "count": count,
        "first_seen": first,
        "last_seen": last,
        "kind": kind,
        "status": status,
        "score": score,
    }


def _write_change(tx: ManagedTransaction, change: StewardChange, now: str) -> None:
    """Everything of a decision in one transaction, in the order `StewardChange` documents."""
    write = change.write
    _unwind(tx, STEWARD.steward_write_profiles, [profile_write_row(p) for p in write.profiles])
    _unwind(
        tx,
        STEWARD.steward_assign_identifiers,
        [{"key": k, "profile_id": p} for k, p in sorted(write.assignments.items())],
    )
    _unwind(tx, STEWARD.steward_delete_aliases, list(change.remove_aliases), "ids")
    moves = [{"absorbed": a, "survivor": p} for a, p in sorted(write.aliases.items())]
    _unwind(tx, CYPHER.put_aliases, moves, "moves")
    _unwind(
        tx,
        STEWARD.steward_delete_evidence,
        [{"a": a, "b": b, "source": s} for a, b, s in change.delete_evidence],
    )
    _unwind(tx, STEWARD.steward_put_evidence, [_evidence_row(e) for e in write.evidence])
    _unwind(tx, CYPHER.delete_profiles, list(change.remove_profiles), "ids")
    # Traits and segments read the profiles' activity sums: recount where identifiers moved.
    recount_activity(tx, [p.id for p in write.profiles], ())
    created = {
        "cannot_link": _constraints(
            tx, STEWARD.steward_insert_cannot_links, CANNOT_LINK_ID, change, now, cannot=True
        ),
        "must_link": _constraints(
            tx, STEWARD.steward_insert_must_links, MUST_LINK_ID, change, now, cannot=False
        ),
    }
    reversed_ = [{"absorbed": a, "survivor": s} for a, s in change.reverse_merges]
    _unwind(tx, STEWARD.steward_reverse_merges, reversed_, "pairs")
    _unwind(
        tx, STEWARD.steward_delete_merges_absorbing, list(change.delete_merges_absorbing), "ids"
    )
    if change.merges:
        first = _reserve(tx, MERGE_ID, len(change.merges))
        merge_rows = [
            {
                "id": first + n,
                "absorbed": m.absorbed,
                "survivor": m.survivor,
                "observation_id": m.observation_id or change.decision.id,
                "at": iso(m.at),
                "reason": m.reason,
            }
            for n, m in enumerate(change.merges)
        ]
        _unwind(tx, CYPHER.insert_merges, merge_rows)
    _unwind(tx, STEWARD.steward_delete_cannot_links, list(change.delete_cannot_links), "ids")
    _unwind(tx, STEWARD.steward_delete_must_links, list(change.delete_must_links), "ids")
    if change.delete_merges_of is not None:
        tx.run(STEWARD.steward_delete_merges_of, {"decision_id": change.delete_merges_of}).consume()
    review = [
        {
            "item_id": s.item_id,
            "status": s.status,
            "actor": s.actor,
            "at": iso(s.at) if s.at else None,
            "reason": s.reason,
        }
        for s in change.review
    ]
    for chunk in rows.chunked(review, ROWS_PER_STATEMENT):
        doubled = tx.run(STEWARD.steward_set_review_items, {"rows": list(chunk)}).single()
        if doubled is not None:
            # Raised inside the transaction, so nothing of the decision is kept.
            raise Conflict(
                "the decision was not stored, nothing of it was kept: it would leave review "
                f"items {sorted(doubled['open_ids'])} of the pair {doubled['a']}, "
                f"{doubled['b']} open together (at most one item of a pair is open)"
            )
    write_audit(tx, change.audit)
    if not change.record:
        return
    decision = change.decision
    seq = _reserve(tx, DECISION_SEQ, 1)
    params = {
        "id": decision.id,
        "seq": seq,
        "kind": decision.kind,
        "body": decision_body(decision, created),
    }
    tx.run(STEWARD.steward_insert_decision, params).consume()
    if change.undoes is not None:
        marked = tx.run(
            STEWARD.steward_mark_undone, {"id": change.undoes, "undone_by": decision.id}
        ).single()
        if marked is None or int(marked["marked"]) != 1:
            raise Conflict(f"decision {change.undoes} was undone already")


def _constraints(
    tx: ManagedTransaction,
    statement: LiteralString,
    counter: str,
    change: StewardChange,
    now: str,
    *,
    cannot: bool,
) -> list[int]:
    pairs = change.cannot_links if cannot else change.must_links
    if not pairs:
        return []
    first = _reserve(tx, counter, len(pairs))
    items = [
        {"id": first + n, "a": p.a, "b": p.b, "reason": p.reason, "created_at": now}
        for n, p in enumerate(pairs)
    ]
    return [int(r["id"]) for r in tx.run(statement, {"rows": items})]


def _reserve(tx: ManagedTransaction, counter: str, count: int) -> int:
    record = tx.run(CYPHER.reserve_ids, {"counter": counter, "count": count}).single()
    assert record is not None, "MERGE always answers with one row"
    return int(record["last"]) - count + 1


def _unwind(
    tx: ManagedTransaction, statement: LiteralString, items: list[Any], name: str = "rows"
) -> None:
    rows.unwind(tx, statement, name, items)
