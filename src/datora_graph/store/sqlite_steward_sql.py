"""The SQL of steward decisions on the embedded store (`sqlite_steward.py`), named.

Must-links, the decision log and review resolutions are not derived from the observation log:
a rebuild (`RESET_DERIVED`) leaves these tables alone, as it leaves `cannot_link`.
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS must_link (
    id          INTEGER PRIMARY KEY,
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (a, b)
);
CREATE TABLE IF NOT EXISTS steward_decisions (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    undone_by  TEXT
);
CREATE TABLE IF NOT EXISTS review_resolutions (
    item_id  INTEGER PRIMARY KEY,
    a        TEXT NOT NULL,
    b        TEXT NOT NULL,
    status   TEXT NOT NULL,
    actor    TEXT,
    at       TEXT,
    reason   TEXT
);
"""

SLICE_PROFILES = """
SELECT id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, candidates
FROM profiles WHERE id IN (SELECT value FROM json_each(?))
"""
SLICE_IDENTIFIERS = """
SELECT key, profile_id, first_seen, junk FROM identifiers
WHERE profile_id IN (SELECT value FROM json_each(?))
"""
SLICE_ALIASES = """
SELECT alias, profile_id FROM aliases WHERE profile_id IN (SELECT value FROM json_each(?))
"""
SLICE_EVIDENCE = """
SELECT a, b, source, count, first_seen, last_seen, kind, status, score FROM evidence
WHERE a IN (SELECT value FROM json_each(:keys))
UNION
SELECT a, b, source, count, first_seen, last_seen, kind, status, score FROM evidence
WHERE b IN (SELECT value FROM json_each(:keys))
ORDER BY 1, 2, 3
"""

WRITE_PROFILE = """
INSERT INTO profiles
    (id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, candidates,
     standard_attributes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    size = excluded.size,
    type_counts = excluded.type_counts,
    created_seq = excluded.created_seq,
    created_at = excluded.created_at,
    updated_at = excluded.updated_at,
    junk = excluded.junk,
    attributes = excluded.attributes,
    candidates = excluded.candidates,
    standard_attributes = excluded.standard_attributes
"""
ASSIGN_IDENTIFIER = """
UPDATE identifiers SET profile_id = ?2 WHERE key = ?1 AND profile_id IS NOT ?2
"""
DELETE_ALIAS = "DELETE FROM aliases WHERE alias = ?"
PUT_ALIAS = """
INSERT INTO aliases (alias, profile_id) VALUES (?, ?)
ON CONFLICT (alias) DO UPDATE SET profile_id = excluded.profile_id
"""
DELETE_EVIDENCE = "DELETE FROM evidence WHERE a = ? AND b = ? AND source = ?"
PUT_EVIDENCE = """
INSERT INTO evidence (a, b, source, count, first_seen, last_seen, kind, status, score)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (a, b, source) DO UPDATE SET
    count = excluded.count,
    first_seen = excluded.first_seen,
    last_seen = excluded.last_seen,
    kind = excluded.kind,
    status = excluded.status,
    score = excluded.score
"""
DELETE_PROFILE = "DELETE FROM profiles WHERE id = ?"
INSERT_CANNOT_LINK = """
INSERT INTO cannot_link (id, a, b, reason, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (a, b) DO NOTHING
RETURNING id
"""
INSERT_MUST_LINK = """
INSERT INTO must_link (id, a, b, reason, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (a, b) DO NOTHING
RETURNING id
"""
DELETE_CANNOT_LINK = "DELETE FROM cannot_link WHERE id = ?"
DELETE_MUST_LINK = "DELETE FROM must_link WHERE id = ?"
INSERT_MERGE = """
INSERT INTO merges (absorbed, survivor, observation_id, at, reason) VALUES (?, ?, ?, ?, ?)
"""
DELETE_MERGES_OF = "DELETE FROM merges WHERE observation_id = ?"
REVERSE_MERGES = """
UPDATE merges SET absorbed = survivor, survivor = absorbed WHERE absorbed = ? AND survivor = ?
"""
"""Both sides read the row as it was, so this swaps them; no index serves it (a replay after
an erasure reverses a merge or two)."""
DELETE_MERGES_ABSORBING = "DELETE FROM merges WHERE absorbed = ?"
"""No index serves it: only a replay after an erasure drops aliases, and only a few."""
SET_REVIEW_STATUS = "UPDATE review_items SET status = ? WHERE id = ?"
DELETE_REVIEW_RESOLUTION = "DELETE FROM review_resolutions WHERE item_id = ?"
PUT_REVIEW_RESOLUTION = """
INSERT INTO review_resolutions (item_id, a, b, status, actor, at, reason)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id) DO UPDATE SET
    a = excluded.a, b = excluded.b, status = excluded.status,
    actor = excluded.actor, at = excluded.at, reason = excluded.reason
"""
INSERT_DECISION = "INSERT INTO steward_decisions (id, kind, body) VALUES (?, ?, ?)"
MARK_UNDONE = "UPDATE steward_decisions SET undone_by = ? WHERE id = ? AND undone_by IS NULL"
GET_DECISIONS = """
SELECT id, kind, seq, body, undone_by FROM steward_decisions
WHERE id IN (SELECT value FROM json_each(?))
"""
LIST_DECISIONS = """
SELECT id, kind, seq, body, undone_by FROM steward_decisions
WHERE seq > ? ORDER BY seq LIMIT ?
"""
