"""The decision log's stored form, shared by every store: a decision's body as one JSON text.

A decision is written once and read back whole (to show it, to undo it, to re-apply it after
a rebuild), never queried inside, so each store keeps its body as JSON beside a few columns it
does query (ID, kind, position, undone by).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from datora_graph.domain.records import from_iso, iso
from datora_graph.domain.steward import (
    Decision,
    DecisionKind,
    EvidenceEdge,
    GraphSlice,
    ProfileRecord,
    ReviewState,
)
from datora_graph.domain.survivorship import candidates_from_json, candidates_to_json


def profile_to_json(record: ProfileRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "size": record.size,
        "type_counts": dict(record.type_counts),
        "created_seq": record.created_seq,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "junk": record.junk,
        "attributes": dict(record.attributes),
        "candidates": candidates_to_json(record.candidates),
    }


def profile_from_json(row: Mapping[str, Any]) -> ProfileRecord:
    return ProfileRecord(
        id=row["id"],
        size=int(row["size"]),
        type_counts=dict(row["type_counts"]),
        created_seq=int(row["created_seq"]),
        created_at=from_iso(row["created_at"]),
        updated_at=from_iso(row["updated_at"]),
        junk=bool(row["junk"]),
        attributes=dict(row["attributes"]),
        candidates=candidates_from_json(row["candidates"]),
    )


def evidence_to_json(edge: EvidenceEdge) -> list[Any]:
    return [
        edge.a,
        edge.b,
        edge.source,
        edge.count,
        iso(edge.first_seen),
        iso(edge.last_seen),
        edge.kind,
        edge.status,
        edge.score,
    ]


def evidence_from_json(row: list[Any]) -> EvidenceEdge:
    a, b, source, count, first, last, kind, status, score = row
    return EvidenceEdge(
        a, b, source, int(count), from_iso(first), from_iso(last), kind, status, score
    )


def slice_to_json(slice_: GraphSlice) -> dict[str, Any]:
    return {
        "profiles": [profile_to_json(p) for p in slice_.profiles],
        "assignments": dict(sorted(slice_.assignments.items())),
        "aliases": dict(sorted(slice_.aliases.items())),
        "evidence": [evidence_to_json(e) for e in slice_.evidence],
        "first_seen": {k: iso(v) for k, v in sorted(slice_.first_seen.items())},
        "junk": sorted(slice_.junk),
    }


def slice_from_json(raw: Mapping[str, Any]) -> GraphSlice:
    return GraphSlice(
        profiles=tuple(profile_from_json(p) for p in raw["profiles"]),
        assignments=dict(raw["assignments"]),
        aliases=dict(raw["aliases"]),
        evidence=tuple(evidence_from_json(e) for e in raw["evidence"]),
        first_seen={k: from_iso(v) for k, v in raw["first_seen"].items()},
        junk=frozenset(raw["junk"]),
    )


def review_to_json(state: ReviewState) -> dict[str, Any]:
    return {
        "item_id": state.item_id,
        "a": state.a,
        "b": state.b,
        "status": state.status,
        "actor": state.actor,
        "at": iso(state.at) if state.at else None,
        "reason": state.reason,
    }


def review_from_json(raw: Mapping[str, Any]) -> ReviewState:
    return ReviewState(
        int(raw["item_id"]),
        raw["a"],
        raw["b"],
        raw["status"],
        raw["actor"],
        from_iso(raw["at"]) if raw["at"] else None,
        raw["reason"],
    )


def decision_body(decision: Decision, created: Mapping[str, list[int]]) -> str:
    """Everything of a decision but its ID, kind, position and undo mark, as JSON text."""
    return json.dumps(
        {
            "actor": decision.actor,
            "reason": decision.reason,
            "at": iso(decision.at),
            "profiles_before": list(decision.profiles_before),
            "profiles_after": list(decision.profiles_after),
            "before": slice_to_json(decision.before),
            "after": slice_to_json(decision.after),
            "review_before": [review_to_json(r) for r in decision.review_before],
            "details": dict(decision.details),
            "created": {k: list(v) for k, v in created.items()},
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def decision_from_row(
    decision_id: str, kind: str, seq: int, body: str, undone_by: str | None
) -> Decision:
    raw = json.loads(body)
    return Decision(
        id=decision_id,
        kind=cast(DecisionKind, kind),
        actor=raw["actor"],
        reason=raw["reason"],
        at=from_iso(raw["at"]),
        profiles_before=tuple(raw["profiles_before"]),
        profiles_after=tuple(raw["profiles_after"]),
        before=slice_from_json(raw["before"]),
        after=slice_from_json(raw["after"]),
        review_before=tuple(review_from_json(r) for r in raw["review_before"]),
        details=raw["details"],
        created={k: [int(i) for i in v] for k, v in raw["created"].items()},
        undone_by=undone_by,
        seq=seq,
    )
