"""Writing one changeset of the engine into the embedded store, inside the caller's
transaction: the observations, new identifiers, merges (absorbed profiles become aliases of
the profile that survives the whole batch), profiles, evidence, review items (opened and
answered), guard state, events, rejections, audit entries and consent of one batch, all or nothing.

    with store._transaction() as db:
        write_changeset(db, changeset, iso(datetime.now(UTC)), stored_candidates)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from datora_graph.domain.changeset import AnsweredItem, Changeset, EvidenceUpsert
from datora_graph.domain.records import Event, iso
from datora_graph.domain.survivorship import AttributeCandidate, Candidates, candidates_to_json
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite_access import write_audit
from datora_graph.store.sqlite_ids import reserve_ids
from datora_graph.store.sqlite_segments import consent_rows, write_consent
from datora_graph.store.sqlite_steward import evidence_row, profile_row


def write_changeset(
    db: sqlite3.Connection,
    changeset: Changeset,
    now: str,
    stored_candidates: Mapping[str, tuple[FrozenCandidates, str]] | None = None,
) -> None:
    db.executemany(
        sql.INSERT_OBSERVATION,
        [(o.seq, o.id, o.source, iso(o.observed_at), o.raw, now) for o in changeset.observations],
    )
    # Rows go in key order: B-tree inserts in order find their pages in the cache.
    db.executemany(
        sql.INSERT_IDENTIFIER,
        sorted(
            (
                n.identifier.key,
                n.identifier.type,
                n.identifier.value,
                n.profile_id,
                int(n.junk),
                iso(n.first_seen),
            )
            for n in changeset.new_identifiers
        ),
    )
    _write_merges(db, changeset)
    db.executemany(sql.UPSERT_PROFILE, _profile_rows(changeset, stored_candidates or {}))
    _upsert_evidence(db, changeset.evidence)
    first_id = reserve_ids(db, "review_items", len(changeset.review_items))
    db.executemany(
        sql.INSERT_REVIEW_ITEM,
        [
            (
                first_id + n,
                r.kind,
                r.a,
                r.b,
                r.profile_a,
                r.profile_b,
                r.reason,
                r.observation_id,
                iso(r.created_at),
                r.guard,
                r.source,
                r.suggested_action,
                r.constraint_id,
            )
            for n, r in enumerate(changeset.review_items)
        ],
    )
    _answer_review_items(db, changeset.answered)
    db.executemany(
        sql.PUT_IDENTIFIER_GUARD,
        [
            (
                g.key,
                g.joins,
                int(g.quarantined),
                g.reason,
                g.quarantined_seq,
                ",".join(map(str, g.join_seqs)),
            )
            for g in changeset.identifier_guards
        ],
    )
    _write_events(db, changeset.events, now)
    db.executemany(
        sql.INSERT_REJECTION,
        [
            (r.kind, r.item_id, r.field, r.reason, r.payload, r.fingerprint, iso(r.received_at))
            for r in changeset.rejections
        ],
    )
    if changeset.audit:
        write_audit(db, changeset.audit)
    if changeset.consent:
        write_consent(db, consent_rows(changeset.consent, now))


def _upsert_evidence(db: sqlite3.Connection, evidence: Sequence[EvidenceUpsert]) -> None:
    """Evidence for a pair a steward cut stays cut, whichever source reports it again."""
    rows = sorted([evidence_row(e) for e in evidence], key=_evidence_key)
    if rows:
        pairs = json.dumps(sorted({(row[0], row[1]) for row in rows}))
        cut = set(db.execute(sql.CUT_PAIRS_AMONG, (pairs,)).fetchall())
        if cut:
            rows = [(*row[:7], "cut", row[8]) if row[:2] in cut else row for row in rows]
    db.executemany(sql.UPSERT_EVIDENCE, rows)


def _answer_review_items(db: sqlite3.Connection, answered: Sequence[AnsweredItem]) -> None:
    """Close the items the graph answered and make their pairs' held evidence active (see
    `AnsweredItem`); after the evidence and the new items, which the batch may have opened."""
    db.executemany(sql.ANSWER_REVIEW_ITEM, [(i.observation_id, i.a, i.b) for i in answered])
    db.executemany(sql.ACTIVATE_HELD_EVIDENCE, [(i.a, i.b) for i in answered])


FrozenCandidates = tuple[tuple[str, tuple[AttributeCandidate, ...]], ...]


def frozen(candidates: Candidates) -> FrozenCandidates:
    """Candidates as they are now, which later changes to the lists cannot alter."""
    return tuple([(name, tuple(values)) for name, values in candidates.items()])


_evidence_key = itemgetter(0, 1, 2)


def _profile_rows(
    changeset: Changeset, stored_candidates: Mapping[str, tuple[FrozenCandidates, str]]
) -> list[tuple[Any, ...]]:
    """Rows of UPSERT_PROFILE. Candidates equal to those loaded for the batch keep their
    stored text (equal candidates encode alike), which spares encoding them again."""
    rows = []
    for w in changeset.profiles:
        state = w.state
        known = stored_candidates.get(state.id)
        candidates = (
            known[1]
            if known is not None and known[0] == frozen(state.candidates)
            else candidates_to_json(state.candidates)
        )
        rows.append(profile_row(state, w.updated_at, w.attributes, candidates))
    return rows


def _write_merges(db: sqlite3.Connection, changeset: Changeset) -> None:
    """Each absorbed profile points straight at the profile that survives the whole batch,
    so alias chains never grow and the order of the statements below does not matter."""
    if not changeset.merges:
        return
    parent = {m.absorbed: m.survivor for m in changeset.merges}

    def final(profile_id: str) -> str:
        while profile_id in parent:
            profile_id = parent[profile_id]
        return profile_id

    moves = [(final(m.survivor), m.absorbed) for m in changeset.merges]
    db.executemany(sql.MOVE_IDENTIFIERS, moves)
    db.executemany(sql.MOVE_ALIASES, moves)
    db.executemany(sql.PUT_ALIAS, [(absorbed, survivor) for survivor, absorbed in moves])
    db.executemany(sql.DELETE_PROFILE, [(absorbed,) for _, absorbed in moves])
    db.executemany(
        sql.INSERT_MERGE,
        [(m.absorbed, m.survivor, m.observation_id, iso(m.at), m.reason) for m in changeset.merges],
    )


def _write_events(db: sqlite3.Connection, events: Sequence[Event], now: str) -> None:
    db.executemany(
        sql.INSERT_EVENT,
        [
            (
                e.id,
                e.type,
                iso(e.occurred_at),
                e.source,
                json.dumps([[i.type, i.value] for i in e.identifiers], ensure_ascii=False),
                json.dumps(e.properties, sort_keys=True, ensure_ascii=False, default=str),
                now,
            )
            for e in events
        ],
    )
    db.executemany(
        sql.INSERT_EVENT_IDENTIFIER,
        [(i.key, iso(e.occurred_at), e.id, e.type) for e in events for i in e.identifiers],
    )
