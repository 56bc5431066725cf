"""Every SQL statement the embedded store runs, named, so they are read and reviewed as queries.

Lists of keys travel as one JSON parameter expanded by `json_each`, so a batch of any size is
one statement with one bound parameter, never a string built from values.
"""

from datora_graph.domain.records import STANDARD_ATTRIBUTES

SCHEMA_VERSION = "1"

STANDARD_ATTRIBUTES_OF_ROW = " + ".join(
    f"(json_type(attributes, '$.{name}') IS NOT NULL)" for name in STANDARD_ATTRIBUTES
)
"""SQL counting the standard attributes of a row's `attributes`, to fill `standard_attributes`
in store files written before it (the write path counts in Python: a JSON parse per attribute
and row would cost a tenth of bulk ingest)."""
STANDARD_ATTRIBUTES_COLUMN = "standard_attributes INTEGER NOT NULL DEFAULT 0"
"""How many standard attributes a profile's golden attributes hold, for the data-quality
trait; kept in the `profiles_for_segments` index, so a data-quality segment over a million
profiles reads that index, not every profile row."""
_PROFILE_COLUMNS = f"""
    id          TEXT NOT NULL PRIMARY KEY,
    size        INTEGER NOT NULL,
    type_counts TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    junk        INTEGER NOT NULL,
    attributes  TEXT NOT NULL,
    candidates  TEXT NOT NULL,
    {STANDARD_ATTRIBUTES_COLUMN}
"""
"""A profile row is large (its attribute candidates): kept in a rowid table, not WITHOUT ROWID,
which packs rows that size poorly and rewrites pages for every insert."""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identifiers (
    key        TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    value      TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    junk       INTEGER NOT NULL,
    first_seen TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identifiers_by_profile ON identifiers (profile_id);
CREATE TABLE IF NOT EXISTS profiles (
{_PROFILE_COLUMNS});
CREATE TABLE IF NOT EXISTS aliases (
    alias      TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_by_profile ON aliases (profile_id);
CREATE TABLE IF NOT EXISTS evidence (
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    source     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    score      REAL,
    PRIMARY KEY (a, b, source)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS evidence_by_b ON evidence (b);
CREATE INDEX IF NOT EXISTS evidence_cut ON evidence (a, b) WHERE status = 'cut';
CREATE TABLE IF NOT EXISTS review_items (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    a              TEXT NOT NULL,
    b              TEXT NOT NULL,
    profile_a      TEXT NOT NULL,
    profile_b      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    observation_id TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open',
    created_at     TEXT NOT NULL,
    guard          TEXT NOT NULL DEFAULT 'limit',
    source         TEXT NOT NULL DEFAULT '',
    suggested_action TEXT NOT NULL DEFAULT '',
    answered_by    TEXT NOT NULL DEFAULT '',
    constraint_id  INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS review_items_open_pair ON review_items (a, b)
    WHERE status = 'open';
CREATE TABLE IF NOT EXISTS identifier_guards (
    key         TEXT PRIMARY KEY,
    joins       INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    quarantined_seq INTEGER NOT NULL DEFAULT 0,
    join_seqs   TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS merges (
    id             INTEGER PRIMARY KEY,
    absorbed       TEXT NOT NULL,
    survivor       TEXT NOT NULL,
    observation_id TEXT NOT NULL,
    at             TEXT NOT NULL,
    reason         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS merges_by_survivor ON merges (survivor);
CREATE TABLE IF NOT EXISTS cannot_link (
    id         INTEGER PRIMARY KEY,
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (a, b)
);
CREATE INDEX IF NOT EXISTS cannot_link_by_b ON cannot_link (b);
CREATE TABLE IF NOT EXISTS events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    source      TEXT NOT NULL,
    identifiers TEXT NOT NULL,
    properties  TEXT NOT NULL,
    received_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_identifiers (
    identifier_key TEXT NOT NULL,
    occurred_at    TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    PRIMARY KEY (identifier_key, occurred_at, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_identifiers_by_type
    ON event_identifiers (identifier_key, event_type, occurred_at, event_id);
CREATE TABLE IF NOT EXISTS rejections (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    item_id     TEXT,
    field       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erased_records (
    fingerprint TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    erased_at   TEXT NOT NULL,
    audit_id    TEXT NOT NULL
) WITHOUT ROWID;
"""

GET_META = "SELECT value FROM meta WHERE key = ?"
SET_META = """
INSERT INTO meta (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""
DELETE_META = "DELETE FROM meta WHERE key = ?"

KNOWN_OBSERVATION_IDS = "SELECT id FROM observations WHERE id IN (SELECT value FROM json_each(?))"
KNOWN_EVENT_IDS = "SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))"
LAST_SEQUENCE = """
SELECT max(coalesce((SELECT max(seq) FROM observations), 0),
           coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'log_end'), 0))
"""
"""The newest log position ever given: an erasure that deleted the newest observations keeps
it as `log_end` (sqlite_erasure.KEEP_LOG_END), so later observations never take a position the
log index has passed."""
READ_LOG = "SELECT seq, payload FROM observations WHERE seq > ? ORDER BY seq LIMIT ?"

SNAPSHOT_IDENTIFIERS = """
SELECT key, profile_id FROM identifiers WHERE key IN (SELECT value FROM json_each(?))
"""
SNAPSHOT_PROFILES = """
SELECT id, size, type_counts, created_seq, created_at, junk, candidates, updated_at
FROM profiles WHERE id IN (SELECT value FROM json_each(?))
"""
KEY_CONSTRAINT_SIDES = """
SELECT id, 0, a FROM cannot_link WHERE a IN (SELECT value FROM json_each(:keys))
UNION ALL
SELECT id, 1, b FROM cannot_link WHERE b IN (SELECT value FROM json_each(:keys))
"""
SNAPSHOT_CONSTRAINT_SIDES = """
SELECT c.id, 0, i.profile_id FROM cannot_link c JOIN identifiers i ON i.key = c.a
WHERE i.profile_id IN (SELECT value FROM json_each(:ids))
UNION ALL
SELECT c.id, 1, i.profile_id FROM cannot_link c JOIN identifiers i ON i.key = c.b
WHERE i.profile_id IN (SELECT value FROM json_each(:ids))
"""
OPEN_REVIEW_ITEMS_BETWEEN = """
SELECT r.a, r.b, ia.profile_id, ib.profile_id
FROM identifiers ia
JOIN review_items r ON r.a = ia.key AND r.status = 'open'
JOIN identifiers ib ON ib.key = r.b
WHERE ia.profile_id IN (SELECT value FROM json_each(:ids))
  AND ib.profile_id IN (SELECT value FROM json_each(:ids))
  AND ib.profile_id <> ia.profile_id
ORDER BY r.id
"""
"""The open review items whose ends lie in two of the given profiles (those a batch merged):
found from the profiles' members by the open-pair index, so a batch reads only its own."""

INSERT_OBSERVATION = """
INSERT INTO observations (seq, id, source, observed_at, payload, received_at)
VALUES (?, ?, ?, ?, ?, ?)
"""
INSERT_IDENTIFIER = """
INSERT INTO identifiers (key, type, value, profile_id, junk, first_seen) VALUES (?, ?, ?, ?, ?, ?)
"""
MOVE_IDENTIFIERS = "UPDATE identifiers SET profile_id = ? WHERE profile_id = ?"
MOVE_ALIASES = "UPDATE aliases SET profile_id = ? WHERE profile_id = ?"
PUT_ALIAS = """
INSERT INTO aliases (alias, profile_id) VALUES (?, ?)
ON CONFLICT (alias) DO UPDATE SET profile_id = excluded.profile_id
"""
DELETE_PROFILE = "DELETE FROM profiles WHERE id = ?"
INSERT_MERGE = """
INSERT INTO merges (absorbed, survivor, observation_id, at, reason) VALUES (?, ?, ?, ?, ?)
"""
UPSERT_PROFILE = """
INSERT INTO profiles
    (id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, candidates,
     standard_attributes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    size = excluded.size,
    type_counts = excluded.type_counts,
    updated_at = max(profiles.updated_at, excluded.updated_at),
    junk = excluded.junk,
    attributes = excluded.attributes,
    candidates = excluded.candidates,
    standard_attributes = excluded.standard_attributes
"""
UPSERT_EVIDENCE = """
INSERT INTO evidence (a, b, source, count, first_seen, last_seen, kind, status, score)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (a, b, source) DO UPDATE SET
    count = evidence.count + excluded.count,
    first_seen = min(evidence.first_seen, excluded.first_seen),
    last_seen = max(evidence.last_seen, excluded.last_seen),
    kind = excluded.kind,
    status = CASE WHEN evidence.status = 'cut' THEN 'cut' ELSE excluded.status END,
    score = coalesce(excluded.score, evidence.score)
"""
"""A row for a pair a steward cut (from any source) must arrive with status `cut`: see
CUT_PAIRS_AMONG."""
CUT_PAIRS_AMONG = """
SELECT DISTINCT e.a, e.b
FROM json_each(?) j
JOIN evidence e INDEXED BY evidence_cut
  ON e.a = json_extract(j.value, '$[0]') AND e.b = json_extract(j.value, '$[1]')
WHERE e.status = 'cut'
"""
"""Which of the given `[a, b]` pairs a steward cut: looked up in the small partial index
`evidence_cut` once a batch, not once a row."""
INSERT_REVIEW_ITEM = """
INSERT OR IGNORE INTO review_items
    (id, kind, a, b, profile_a, profile_b, reason, observation_id, created_at,
     guard, source, suggested_action, constraint_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
ANSWER_REVIEW_ITEM = """
UPDATE review_items SET status = 'answered', answered_by = ?
WHERE a = ? AND b = ? AND status = 'open'
"""
ACTIVATE_HELD_EVIDENCE = (
    "UPDATE evidence SET status = 'active' WHERE a = ? AND b = ? AND status = 'held'"
)
FIRST_TABLES = frozenset(
    {
        "meta",
        "observations",
        "identifiers",
        "profiles",
        "aliases",
        "evidence",
        "review_items",
        "merges",
        "cannot_link",
        "events",
        "event_identifiers",
        "rejections",
    }
)
"""The tables of the first release's store: every store file has them, whatever release wrote
it. A file holding tables without `meta` is some other program's database; a store missing
one of them lost it (a damaged or hand-edited file), and creating it again, empty, would hide
that."""
LIST_TABLES = "SELECT name FROM sqlite_schema WHERE type = 'table'"
PROFILES_LAYOUT = "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'profiles'"
LIST_PROFILE_COLUMNS = "SELECT name FROM pragma_table_xinfo('profiles')"
ADD_STANDARD_ATTRIBUTES = (
    "DROP INDEX IF EXISTS profiles_for_segments",
    f"ALTER TABLE profiles ADD COLUMN {STANDARD_ATTRIBUTES_COLUMN}",
    f"UPDATE profiles SET standard_attributes = {STANDARD_ATTRIBUTES_OF_ROW}",
)
"""For store files written before the column; the index is created again, with it, when the
segment tables open."""
PROFILES_TO_ROWID_TABLE = (
    "DROP TRIGGER IF EXISTS profiles_activity_delete",
    "DROP INDEX IF EXISTS profiles_for_segments",
    f"CREATE TABLE profiles_in_rowid_order ({_PROFILE_COLUMNS})",
    f"""
    INSERT INTO profiles_in_rowid_order
        (id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, candidates,
         standard_attributes)
    SELECT id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, candidates,
           {STANDARD_ATTRIBUTES_OF_ROW}
    FROM profiles ORDER BY created_seq, id
    """,
    "DROP TABLE profiles",
    "ALTER TABLE profiles_in_rowid_order RENAME TO profiles",
)
"""Store files written when profiles were a WITHOUT ROWID table get the rowid layout; the
trigger and index dropped here are created again when the segment tables open."""
REVIEW_ITEM_COLUMNS = "SELECT name FROM pragma_table_info('review_items')"
ADD_REVIEW_ITEM_COLUMNS = {
    "guard": "ALTER TABLE review_items ADD COLUMN guard TEXT NOT NULL DEFAULT 'limit'",
    "source": "ALTER TABLE review_items ADD COLUMN source TEXT NOT NULL DEFAULT ''",
    "suggested_action": (
        "ALTER TABLE review_items ADD COLUMN suggested_action TEXT NOT NULL DEFAULT ''"
    ),
    "answered_by": "ALTER TABLE review_items ADD COLUMN answered_by TEXT NOT NULL DEFAULT ''",
    "constraint_id": "ALTER TABLE review_items ADD COLUMN constraint_id INTEGER",
}
"""Columns a store file written before issue 5 lacks; added when the store opens it."""
GUARD_COLUMNS = "SELECT name FROM pragma_table_info('identifier_guards')"
ADD_GUARD_COLUMNS = {
    "quarantined_seq": (
        "ALTER TABLE identifier_guards ADD COLUMN quarantined_seq INTEGER NOT NULL DEFAULT 0"
    ),
    "join_seqs": "ALTER TABLE identifier_guards ADD COLUMN join_seqs TEXT NOT NULL DEFAULT ''",
}
"""Columns a store file written before guards kept their log positions lacks."""
SNAPSHOT_IDENTIFIER_GUARDS = """
SELECT key, joins, quarantined, reason, quarantined_seq, join_seqs FROM identifier_guards
WHERE key IN (SELECT value FROM json_each(?))
"""
PUT_IDENTIFIER_GUARD = """
INSERT INTO identifier_guards (key, joins, quarantined, reason, quarantined_seq, join_seqs)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    joins = excluded.joins, quarantined = excluded.quarantined, reason = excluded.reason,
    quarantined_seq = excluded.quarantined_seq, join_seqs = excluded.join_seqs
"""
INSERT_EVENT = """
INSERT INTO events (id, type, occurred_at, source, identifiers, properties, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
INSERT_EVENT_IDENTIFIER = """
INSERT OR IGNORE INTO event_identifiers (identifier_key, occurred_at, event_id, event_type)
VALUES (?, ?, ?, ?)
"""
INSERT_REJECTION = """
INSERT OR IGNORE INTO rejections
    (kind, item_id, field, reason, payload, fingerprint, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
INSERT_CANNOT_LINK = """
INSERT INTO cannot_link (id, a, b, reason, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (a, b) DO UPDATE SET reason = excluded.reason
RETURNING id
"""

RESET_DERIVED = (
    "DELETE FROM identifiers",
    "DELETE FROM profiles",
    "DELETE FROM aliases",
    "DELETE FROM evidence",
    "DELETE FROM review_items",
    "DELETE FROM identifier_guards",
    "DELETE FROM merges",
)
RESET_REPLAY_REJECTIONS = """
DELETE FROM rejections WHERE kind = 'observation' AND substr(reason, 1, length(:prefix)) = :prefix
"""

RESOLVE_PROFILE_IDS = """
SELECT p.id, p.id FROM profiles p WHERE p.id IN (SELECT value FROM json_each(:ids))
UNION ALL
SELECT a.alias, a.profile_id FROM aliases a WHERE a.alias IN (SELECT value FROM json_each(:ids))
"""
PROFILE_IDS_FOR_IDENTIFIERS = SNAPSHOT_IDENTIFIERS
GET_PROFILES = """
SELECT id, attributes, size, created_at, updated_at, junk
FROM profiles WHERE id IN (SELECT value FROM json_each(?))
"""
IDENTIFIERS_OF_PROFILES = """
SELECT i.profile_id, i.type, i.value, i.junk, i.first_seen, coalesce(g.quarantined, 0)
FROM identifiers i LEFT JOIN identifier_guards g ON g.key = i.key
WHERE i.profile_id IN (SELECT value FROM json_each(?))
ORDER BY i.profile_id, i.type, i.value
"""
ALIASES_OF_PROFILES = """
SELECT profile_id, alias FROM aliases
WHERE profile_id IN (SELECT value FROM json_each(?))
ORDER BY profile_id, alias
"""
PROFILE_IDS_PAGE = "SELECT id FROM profiles WHERE id > ? ORDER BY id LIMIT ?"


def _identifier_page(newest_first: bool, typed: bool) -> str:
    """One identifier's first page of a journey: its index range between the page's bounds,
    LIMIT the page size, in the page's order. Correlated on `i.key`, it drives a search of
    `event_identifiers` for each identifier, so a journey page reads about a page per
    identifier and sorts at most identifiers x page size rows, never the whole journey.
    Per-identifier pages are enough: an event on the page has fewer than a page of (distinct)
    events before it, and so has each of its identifiers.

    Typed, it searches `event_identifiers_by_type` for each type asked for: SQLite reads each
    type's range in the page's order and leaves it once it can no longer reach the page, so a
    rare type costs what a common one does, where filtering the identifier's range read on
    until it had a page of that type. The planner prefers the primary key here, hence INDEXED
    BY (which also makes a file without the index an error, not a slow page).

    The bounds are (occurred_at, event_id) pairs, exclusive, from
    `sqlite_reads.journey_params`: the window and the cursor folded into one range, so SQLite
    searches the index for it rather than filtering from the identifier's first event."""
    desc = " DESC" if newest_first else ""
    index = " INDEXED BY event_identifiers_by_type" if typed else ""
    of_type = (
        "\n          AND x.event_type IN (SELECT value FROM json_each(:types))" if typed else ""
    )
    return f"""(ei.occurred_at, ei.event_id) IN (
        SELECT x.occurred_at, x.event_id FROM event_identifiers x{index}
        WHERE x.identifier_key = i.key{of_type}
          AND (x.occurred_at, x.event_id) > (:low_at, :low_id)
          AND (x.occurred_at, x.event_id) < (:high_at, :high_id)
        ORDER BY x.occurred_at{desc}, x.event_id{desc}
        LIMIT :limit
    )"""


def _journey_page(newest_first: bool, typed: bool) -> str:
    """One profile's journey page: the merge of its identifiers' pages. GROUP BY, not
    DISTINCT, deduplicates an event seen on several identifiers: SQLite sorts the groups in
    the ORDER BY's direction, one small sorter in both orders."""
    desc = " DESC" if newest_first else ""
    return f"""
SELECT ei.occurred_at, ei.event_id
FROM identifiers i
JOIN event_identifiers ei ON ei.identifier_key = i.key
WHERE i.profile_id = :profile_id
  AND {_identifier_page(newest_first, typed)}
GROUP BY ei.occurred_at, ei.event_id
ORDER BY ei.occurred_at{desc}, ei.event_id{desc}
LIMIT :limit
"""


def _journey_pages(newest_first: bool, typed: bool) -> str:
    """The journey page of each of several profiles, in one statement: each profile's
    identifiers' pages, ranked per profile."""
    desc = " DESC" if newest_first else ""
    return f"""
WITH wanted (profile_id) AS (SELECT DISTINCT value FROM json_each(:profile_ids)),
hits AS (
    SELECT DISTINCT i.profile_id, ei.occurred_at, ei.event_id
    FROM wanted w
    JOIN identifiers i ON i.profile_id = w.profile_id
    JOIN event_identifiers ei ON ei.identifier_key = i.key
    WHERE {_identifier_page(newest_first, typed)}
),
ranked AS (
    SELECT profile_id, occurred_at, event_id,
           row_number() OVER (
               PARTITION BY profile_id ORDER BY occurred_at{desc}, event_id{desc}
           ) AS n
    FROM hits
)
SELECT profile_id, occurred_at, event_id FROM ranked WHERE n <= :limit
ORDER BY profile_id, n
"""


JOURNEY_STATEMENTS = {
    (batched, newest_first, typed): (_journey_pages if batched else _journey_page)(
        newest_first, typed
    )
    for batched in (False, True)
    for newest_first in (False, True)
    for typed in (False, True)
}
"""Every journey page statement by (batched, newest first, typed), the constants above."""
EVENTS_BY_ID = """
SELECT id, type, occurred_at, source, identifiers, properties
FROM events WHERE id IN (SELECT value FROM json_each(?))
"""

LIST_REJECTIONS = """
SELECT seq, kind, item_id, field, reason, payload, received_at FROM rejections
WHERE seq > :after AND (:kind IS NULL OR kind = :kind)
ORDER BY seq LIMIT :limit
"""

COUNT_OBSERVATIONS = "SELECT count(*) FROM observations"
COUNT_EVENTS = "SELECT count(*) FROM events"
COUNT_REJECTIONS = "SELECT count(*) FROM rejections"
KEPT_REJECTIONS = (
    "SELECT fingerprint FROM rejections WHERE fingerprint IN (SELECT value FROM json_each(?))"
)
COUNT_PROFILES = "SELECT count(*) FROM profiles"
IDENTIFIERS_BY_TYPE = "SELECT type, count(*) FROM identifiers GROUP BY type ORDER BY type"
COUNT_HELD_LINKS = "SELECT count(*) FROM (SELECT DISTINCT a, b FROM evidence WHERE status = 'held')"
COUNT_OPEN_REVIEW_ITEMS = "SELECT count(*) FROM review_items WHERE status = 'open'"

MERGE_HISTORY = """
WITH current (profile_id) AS (SELECT value FROM json_each(:ids)),
members (member, profile_id) AS (
    SELECT profile_id, profile_id FROM current
    UNION
    SELECT a.alias, a.profile_id FROM aliases a JOIN current c ON c.profile_id = a.profile_id
)
SELECT m.profile_id, g.absorbed, g.survivor, g.observation_id, g.at, g.reason
FROM merges g JOIN members m ON m.member = g.survivor
LEFT JOIN observations o ON o.id = g.observation_id
ORDER BY m.profile_id, g.at, o.seq, g.id
"""
"""Oldest first; merges at the same time in log order (a decision's first), then as recorded:
a replay after an erasure writes the note of a record the erasure rewrote later than live
did (`restored_notes`), but it stands where live's does."""

MERGES_AS_RECORDED = MERGE_HISTORY.replace("g.at, o.seq, g.id", "g.id")
"""`MERGE_HISTORY` in the order the merges were recorded (log order), not observation time."""
JOINED_OPEN_ITEMS = """
SELECT r.a, r.b, r.profile_a, r.profile_b, ia.profile_id
FROM review_items r
JOIN identifiers ia ON ia.key = r.a
JOIN identifiers ib ON ib.key = r.b
WHERE r.status = 'open' AND ia.profile_id = ib.profile_id
ORDER BY r.id
"""
"""Open items whose two ends share a profile, with the profiles that held them when opened."""

LIST_REVIEW_ITEMS = """
SELECT r.id, r.kind, r.a, r.b,
       coalesce(ia.profile_id, r.profile_a), coalesce(ib.profile_id, r.profile_b),
       r.reason, r.observation_id, r.status, r.created_at,
       r.guard, r.source, r.suggested_action, r.answered_by, r.constraint_id,
       coalesce(rr.reason, '')
FROM review_items r
LEFT JOIN identifiers ia ON ia.key = r.a
LEFT JOIN identifiers ib ON ib.key = r.b
LEFT JOIN review_resolutions rr ON rr.item_id = r.id
WHERE r.id > :after AND (:status IS NULL OR r.status = :status)
  AND (:touching IS NULL
       OR r.a IN (SELECT value FROM json_each(:touching))
       OR r.b IN (SELECT value FROM json_each(:touching)))
ORDER BY r.id LIMIT :limit
"""
