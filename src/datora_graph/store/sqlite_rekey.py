"""Events and consent statements keyed again after the key rules changed (`rekey_records`).

Both keep the keys their identifiers had when they were stored: after a rebuild under other
junk values or normalisers, a call logged under `phone:4155550101` (the junk form) would no
longer be in the journey of the profile holding `phone:+14155550101`, nor be found by its
owner's erasure. The graph is empty when a rebuild calls this (after `reset_derived`), so
moving a credit adds to `identifier_activity` through the insert trigger and no profile's sums
need a recount; consent rows get their profile as the replay inserts the identifiers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from datora_graph.domain.key_rules import rekey_event
from datora_graph.store import sqlite_segments_sql as q
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite_erasure import (
    DELETE_ACTIVITY,
    DELETE_CONSENT,
    DELETE_CONSENT_STATEMENTS,
    DELETE_EVENT_CREDIT,
    DELETE_EVENT_IDENTIFIER,
    EVENTS_OF_KEYS,
    REWRITE_EVENT,
)

EVENT_KEYS_PAGE = """
SELECT DISTINCT identifier_key FROM event_identifiers WHERE identifier_key > ?
ORDER BY identifier_key LIMIT ?
"""
CONSENT_KEYS_PAGE = """
SELECT DISTINCT identifier_key FROM consent_statements WHERE identifier_key > ?
ORDER BY identifier_key LIMIT ?
"""
CREDIT = """
SELECT revenue_cents, properties FROM event_credits
WHERE event_type = ? AND occurred_at = ? AND event_id = ?
"""
INSERT_CREDIT = """
INSERT INTO event_credits
    (event_type, occurred_at, event_id, identifier_key, revenue_cents, properties)
VALUES (?, ?, ?, ?, ?, ?)
"""
"""Fires `event_credits_activity`, which adds the event to its new key's activity."""
MOVE_CONSENT_STATEMENTS = """
UPDATE OR IGNORE consent_statements SET identifier_key = ? WHERE identifier_key = ?
"""
"""A statement the new key holds already stays where it is (kept once); DELETE_CONSENT_STATEMENTS
then takes the copy left under the old key."""
STATEMENTS_OF_KEYS = """
SELECT identifier_key AS key, purpose, granted, stated_at, source FROM consent_statements
WHERE identifier_key IN (SELECT value FROM json_each(:keys))
"""


def stored_record_keys(db: sqlite3.Connection, after: str, limit: int) -> list[str]:
    """The first `limit` keys of either table past `after` hold the first `limit` of both."""
    keys = {
        row[0]
        for page in (EVENT_KEYS_PAGE, CONSENT_KEYS_PAGE)
        for row in db.execute(page, (after, limit))
    }
    return sorted(keys)[:limit]


def rekey_records(db: sqlite3.Connection, changes: Mapping[str, str]) -> None:
    """Inside the caller's transaction (see `GraphStore.rekey_records`)."""
    old = {"keys": json.dumps(list(changes), ensure_ascii=False)}
    for event_id, event_type, occurred_at, stored in db.execute(EVENTS_OF_KEYS, old).fetchall():
        event = rekey_event(stored, changes)
        db.execute(REWRITE_EVENT, (event.identifiers, event_id))
        db.executemany(DELETE_EVENT_IDENTIFIER, [(k, occurred_at, event_id) for k in event.gone])
        db.executemany(
            sql.INSERT_EVENT_IDENTIFIER,
            [(k, occurred_at, event_id, event_type) for k in event.added],
        )
        if event.credited is None:
            continue
        credit = db.execute(CREDIT, (event_type, occurred_at, event_id)).fetchone()
        if credit is not None:
            db.execute(DELETE_EVENT_CREDIT, (event_type, occurred_at, event_id))
            db.execute(INSERT_CREDIT, (event_type, occurred_at, event_id, event.credited, *credit))
    # Every event credited to an old key was credited to its new key above.
    db.execute(DELETE_ACTIVITY, old)

    db.executemany(MOVE_CONSENT_STATEMENTS, [(new, key) for key, new in changes.items()])
    db.execute(DELETE_CONSENT_STATEMENTS, old)
    involved = {"keys": json.dumps([*changes, *changes.values()], ensure_ascii=False)}
    db.execute(DELETE_CONSENT, involved)
    new = {"keys": json.dumps(sorted(set(changes.values())), ensure_ascii=False)}
    statements = db.execute(STATEMENTS_OF_KEYS, new)
    names = [column[0] for column in statements.description]
    # The upsert keeps, per key and purpose, the statement the rule of domain/consent.py picks.
    db.executemany(
        q.UPSERT_CONSENT, [dict(zip(names, row, strict=True)) for row in statements.fetchall()]
    )
