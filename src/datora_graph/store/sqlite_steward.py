"""Steward decisions on the embedded store: a mixin of `SqliteStore`.

A decision (`StewardChange`) is written in one transaction with its entry in the decision log,
so the log never names a decision the graph does not show, nor the reverse. The tables are
created on first use (`sqlite_steward_sql.SCHEMA`), which is idempotent.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from datora_graph.domain.changeset import EvidenceUpsert, ProfileState
from datora_graph.domain.errors import Conflict
from datora_graph.domain.records import iso, standard_attributes
from datora_graph.domain.steward import (
    Decision,
    DecisionPage,
    EvidenceEdge,
    GraphSlice,
    ProfileRecord,
    StewardChange,
)
from datora_graph.domain.survivorship import candidates_from_json, candidates_to_json
from datora_graph.store import sqlite_steward_sql as q
from datora_graph.store.sqlite_access import write_audit
from datora_graph.store.sqlite_ids import reserve_ids
from datora_graph.store.sqlite_tables import record_tables
from datora_graph.store.steward_rows import decision_body, decision_from_row

_encode_sorted = json.JSONEncoder(sort_keys=True).encode
_encode_sorted_text = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
"""The encodings of a profile row (`profile_row`, which ingest, steward changes and redactions
all write with), so a row written back is identical."""


class SqliteSteward:
    """The steward half of `SqliteStore`; see store/base.py for what each method promises."""

    _writer: sqlite3.Connection
    _write_lock: threading.RLock
    _steward_ready: bool = False
    _access_schema: Callable[[], None]
    """`SqliteAccess._access_schema`: a decision's audit entry is written with it."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _steward_schema(self) -> None:
        if not self._steward_ready:
            with self._write_lock:
                self._writer.executescript(q.SCHEMA)
                record_tables(self._writer)
                self._steward_ready = True

    def profile_slice(self, profile_ids: Collection[str]) -> GraphSlice:
        self._steward_schema()
        ids = json.dumps(sorted(set(profile_ids)))
        with self._read() as db:
            profiles = [_profile(row) for row in db.execute(q.SLICE_PROFILES, (ids,))]
            assignments: dict[str, str] = {}
            first_seen: dict[str, datetime] = {}
            junk: set[str] = set()
            for key, profile_id, seen, is_junk in db.execute(q.SLICE_IDENTIFIERS, (ids,)):
                assignments[key] = profile_id
                first_seen[key] = datetime.fromisoformat(seen)
                if is_junk:
                    junk.add(key)
            aliases = dict(db.execute(q.SLICE_ALIASES, (ids,)))
            keys = json.dumps(sorted(assignments))
            evidence = [_evidence(row) for row in db.execute(q.SLICE_EVIDENCE, {"keys": keys})]
        return GraphSlice(
            tuple(sorted(profiles, key=lambda p: p.id)),
            assignments,
            aliases,
            tuple(evidence),
            first_seen,
            frozenset(junk),
        )

    def apply_steward_change(self, change: StewardChange) -> Decision:
        self._steward_schema()
        if change.audit:
            self._access_schema()
        now = iso(datetime.now(UTC))
        try:
            with self._transaction() as db:
                created = _write_change(db, change, now)
                if change.audit:
                    write_audit(db, change.audit)
                decision = change.decision
                if not change.record:
                    return decision
                body = decision_body(decision, created)
                db.execute(q.INSERT_DECISION, (decision.id, decision.kind, body))
                if change.undoes is not None:
                    marked = db.execute(q.MARK_UNDONE, (decision.id, change.undoes)).rowcount
                    if marked != 1:
                        raise Conflict(f"decision {change.undoes} was undone already")
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"the decision was not stored, nothing of it was kept: {exc}") from exc
        return self.get_decisions([change.decision.id])[change.decision.id]

    def get_decisions(self, ids: Collection[str]) -> dict[str, Decision]:
        self._steward_schema()
        if not ids:
            return {}
        with self._read() as db:
            rows = db.execute(q.GET_DECISIONS, (json.dumps(sorted(set(ids))),)).fetchall()
        return {row[0]: decision_from_row(*row) for row in rows}

    def list_decisions(self, after: int, limit: int) -> DecisionPage:
        self._steward_schema()
        with self._read() as db:
            rows = db.execute(q.LIST_DECISIONS, (after, limit + 1)).fetchall()
        decisions = [decision_from_row(*row) for row in rows[:limit]]
        next_after = decisions[-1].seq if len(rows) > limit else None
        return DecisionPage(decisions, next_after)


def _write_change(db: sqlite3.Connection, change: StewardChange, now: str) -> dict[str, list[int]]:
    """Apply everything but the log entry, in the order `StewardChange` documents."""
    write = change.write
    db.executemany(q.WRITE_PROFILE, [_profile_row(p) for p in write.profiles])
    db.executemany(q.ASSIGN_IDENTIFIER, sorted(write.assignments.items()))
    db.executemany(q.DELETE_ALIAS, [(alias,) for alias in change.remove_aliases])
    db.executemany(q.PUT_ALIAS, sorted(write.aliases.items()))
    db.executemany(q.DELETE_EVIDENCE, list(change.delete_evidence))
    db.executemany(q.PUT_EVIDENCE, [evidence_row(e) for e in write.evidence])
    db.executemany(q.DELETE_PROFILE, [(pid,) for pid in change.remove_profiles])
    created: dict[str, list[int]] = {"cannot_link": [], "must_link": []}
    first = reserve_ids(db, "cannot_link", len(change.cannot_links))
    for n, pair in enumerate(change.cannot_links):
        row = db.execute(
            q.INSERT_CANNOT_LINK, (first + n, pair.a, pair.b, pair.reason, now)
        ).fetchone()
        if row is not None:
            created["cannot_link"].append(int(row[0]))
    first = reserve_ids(db, "must_link", len(change.must_links))
    for n, pair in enumerate(change.must_links):
        row = db.execute(
            q.INSERT_MUST_LINK, (first + n, pair.a, pair.b, pair.reason, now)
        ).fetchone()
        if row is not None:
            created["must_link"].append(int(row[0]))
    db.executemany(q.REVERSE_MERGES, change.reverse_merges)
    db.executemany(q.DELETE_MERGES_ABSORBING, [(pid,) for pid in change.delete_merges_absorbing])
    db.executemany(
        q.INSERT_MERGE,
        [
            (m.absorbed, m.survivor, m.observation_id or change.decision.id, iso(m.at), m.reason)
            for m in change.merges
        ],
    )
    db.executemany(q.DELETE_CANNOT_LINK, [(i,) for i in change.delete_cannot_links])
    db.executemany(q.DELETE_MUST_LINK, [(i,) for i in change.delete_must_links])
    if change.delete_merges_of is not None:
        db.execute(q.DELETE_MERGES_OF, (change.delete_merges_of,))
    for state in change.review:
        db.execute(q.SET_REVIEW_STATUS, (state.status, state.item_id))
        if state.status == "open":
            db.execute(q.DELETE_REVIEW_RESOLUTION, (state.item_id,))
        else:
            at = iso(state.at) if state.at else None
            db.execute(
                q.PUT_REVIEW_RESOLUTION,
                (state.item_id, state.a, state.b, state.status, state.actor, at, state.reason),
            )
    return created


def _profile(row: tuple[object, ...]) -> ProfileRecord:
    pid, size, type_counts, created_seq, created_at, updated_at, junk, attributes, cands = row
    return ProfileRecord(
        id=str(pid),
        size=int(str(size)),
        type_counts=json.loads(str(type_counts)),
        created_seq=int(str(created_seq)),
        created_at=datetime.fromisoformat(str(created_at)),
        updated_at=datetime.fromisoformat(str(updated_at)),
        junk=bool(junk),
        attributes=json.loads(str(attributes)),
        candidates=candidates_from_json(str(cands)),
    )


def _profile_row(p: ProfileRecord) -> tuple[object, ...]:
    return profile_row(p, p.updated_at, p.attributes, candidates_to_json(p.candidates))


def profile_row(
    p: ProfileRecord | ProfileState,
    updated_at: datetime,
    attributes: Mapping[str, object],
    candidates_json: str,
) -> tuple[object, ...]:
    """A profile as the `profiles` table's columns, for a steward's write and a changeset's
    alike; the candidates come encoded (a changeset may reuse the text it loaded)."""
    return (
        p.id,
        p.size,
        _encode_sorted(dict(p.type_counts)),
        p.created_seq,
        iso(p.created_at),
        iso(updated_at),
        int(p.junk),
        _encode_sorted_text(dict(attributes)),
        candidates_json,
        standard_attributes(attributes),
    )


def _evidence(row: tuple[object, ...]) -> EvidenceEdge:
    a, b, source, count, first, last, kind, status, score = row
    return EvidenceEdge(
        str(a),
        str(b),
        str(source),
        int(str(count)),
        datetime.fromisoformat(str(first)),
        datetime.fromisoformat(str(last)),
        str(kind),
        str(status),
        None if score is None else float(str(score)),
    )


def evidence_row(e: EvidenceEdge | EvidenceUpsert) -> tuple[object, ...]:
    """An evidence edge as the `evidence` table's columns, for a steward's write and a
    changeset's alike."""
    return (
        e.a,
        e.b,
        e.source,
        e.count,
        iso(e.first_seen),
        iso(e.last_seen),
        e.kind,
        e.status,
        e.score,
    )
