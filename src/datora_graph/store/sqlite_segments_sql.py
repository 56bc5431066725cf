"""SQL of segments, traits, consent and insights on the embedded store, named and reviewed
as queries. Segment definitions compile (in `sqlite_segments.py`) into one statement built
only from the fixed fragments below and bound parameters.

**Activity aggregates, kept by triggers.** Each stored event is credited to the identifier it
names first (`event_credits`, one row per event, clustered by type and time, with the
event's properties, so a windowed condition reads one contiguous range and filters on
properties without visiting `events`). `identifier_activity` sums credited events per
identifier and type: it never changes when profiles merge or split. `profile_activity` is
one row per profile summing its identifiers' activity, so trait conditions over a million
profiles read one narrow row each. Each consent row names the profile holding its identifier
now (kept by triggers too), so "has consent for a purpose" is one range of one index.
`profiles_for_segments` is a narrow covering index of the
profile columns segments read besides the attributes (a profile row mostly holds attribute
candidates), so a segment that does not look at attributes never reads a profile row.
Triggers keep it true through every path that changes the graph — event ingest (an
increment), an identifier created, moved by a merge or split, or deleted (a recount of that
profile from its identifiers, a few rows) — so the write path needs no code of its own.
Order types and event scores are folded into `profile_activity`; `trait_order_types`,
`trait_event_scores` and `trait_settings` hold the values it was computed with, and changing
them recounts every profile once (`RECOUNT_ALL_ACTIVITY`).
"""

ACTIVITY_VERSION = "2"
"""`meta` key `activity_version`: the layout of the activity tables, set once the stored
events have been credited into them. Another value rebuilds them from the events."""

_CREDITED_KEY = (
    "json_extract(NEW.identifiers, '$[0][0]') || ':' || json_extract(NEW.identifiers, '$[0][1]')"
)
_CENTS = (
    "CASE WHEN json_type({props}, '$.revenue') IN ('integer', 'real') "
    "THEN CAST(round(json_extract({props}, '$.revenue') * 100) AS INTEGER) END"
)


def _score_of(event_type: str) -> str:
    return (
        f"coalesce((SELECT sc.score_milli FROM trait_event_scores sc "
        f"WHERE sc.event_type = {event_type}), "
        "(SELECT CAST(value AS INTEGER) FROM trait_settings WHERE key = 'default_score_milli'), 0)"
    )


def _is_order(event_type: str) -> str:
    return f"EXISTS (SELECT 1 FROM trait_order_types o WHERE o.event_type = {event_type})"


def _recount(profile: str) -> str:
    """Statements recounting one profile's row from its identifiers' activity; `profile` is
    a fixed expression (`NEW.profile_id`, `OLD.profile_id` or a parameter), never a value."""
    return f"""
    DELETE FROM profile_activity WHERE profile_id = {profile};
    INSERT INTO profile_activity
        (profile_id, events, orders, revenue_cents, engagement_milli, first_at, last_at,
         type_events)
    SELECT * FROM (
        SELECT {profile} AS profile_id, sum(t.events) AS events,
               sum(t.is_order * t.events), total(t.is_order * t.revenue_cents),
               sum(t.events * t.score_milli), min(t.first_at), max(t.last_at),
               json_group_object(t.event_type, t.events)
        FROM (
            SELECT a.event_type, sum(a.events) AS events, total(a.revenue_cents) AS revenue_cents,
                   min(a.first_at) AS first_at, max(a.last_at) AS last_at,
                   {_is_order("a.event_type")} AS is_order,
                   {_score_of("a.event_type")} AS score_milli
            FROM identifiers i JOIN identifier_activity a ON a.identifier_key = i.key
            WHERE i.profile_id = {profile}
            GROUP BY a.event_type
        ) t
    ) WHERE events IS NOT NULL;
    """


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS segments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    definition  TEXT NOT NULL,
    purpose     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consent_statements (
    seq            INTEGER PRIMARY KEY,
    identifier_key TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    granted        INTEGER NOT NULL,
    stated_at      TEXT NOT NULL,
    source         TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (identifier_key, purpose, stated_at, granted, source)
);
CREATE TABLE IF NOT EXISTS consent (
    identifier_key TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    granted        INTEGER NOT NULL,
    stated_at      TEXT NOT NULL,
    source         TEXT NOT NULL,
    profile_id     TEXT,
    PRIMARY KEY (identifier_key, purpose)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_credits (
    event_type     TEXT NOT NULL,
    occurred_at    TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    identifier_key TEXT NOT NULL,
    revenue_cents  INTEGER,
    properties     TEXT NOT NULL,
    PRIMARY KEY (event_type, occurred_at, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identifier_activity (
    identifier_key TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    events         INTEGER NOT NULL,
    revenue_cents  INTEGER NOT NULL,
    first_at       TEXT NOT NULL,
    last_at        TEXT NOT NULL,
    PRIMARY KEY (identifier_key, event_type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS profile_activity (
    profile_id       TEXT PRIMARY KEY,
    events           INTEGER NOT NULL,
    orders           INTEGER NOT NULL,
    revenue_cents    INTEGER NOT NULL,
    engagement_milli INTEGER NOT NULL,
    first_at         TEXT NOT NULL,
    last_at          TEXT NOT NULL,
    type_events      TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS profiles_for_segments
    ON profiles (junk, id, created_at, updated_at, size, type_counts, standard_attributes);
CREATE TABLE IF NOT EXISTS trait_event_scores (
    event_type  TEXT PRIMARY KEY,
    score_milli INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trait_order_types (
    event_type TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trait_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS events_credit AFTER INSERT ON events
BEGIN
    INSERT OR IGNORE INTO event_credits
        (event_type, occurred_at, event_id, identifier_key, revenue_cents, properties)
    VALUES (NEW.type, NEW.occurred_at, NEW.id, {_CREDITED_KEY},
            {_CENTS.format(props="NEW.properties")}, NEW.properties);
END;

CREATE TRIGGER IF NOT EXISTS event_credits_activity AFTER INSERT ON event_credits
BEGIN
    INSERT INTO identifier_activity
        (identifier_key, event_type, events, revenue_cents, first_at, last_at)
    VALUES (NEW.identifier_key, NEW.event_type, 1, coalesce(NEW.revenue_cents, 0),
            NEW.occurred_at, NEW.occurred_at)
    ON CONFLICT (identifier_key, event_type) DO UPDATE SET
        events = events + 1,
        revenue_cents = revenue_cents + excluded.revenue_cents,
        first_at = min(first_at, excluded.first_at),
        last_at = max(last_at, excluded.last_at);
    INSERT INTO profile_activity
        (profile_id, events, orders, revenue_cents, engagement_milli, first_at, last_at,
         type_events)
    SELECT i.profile_id, 1, k.is_order, k.is_order * coalesce(NEW.revenue_cents, 0),
           {_score_of("NEW.event_type")}, NEW.occurred_at, NEW.occurred_at,
           json_object(NEW.event_type, 1)
    FROM identifiers i, (SELECT {_is_order("NEW.event_type")} AS is_order) k
    WHERE i.key = NEW.identifier_key
    ON CONFLICT (profile_id) DO UPDATE SET
        events = events + 1,
        orders = orders + excluded.orders,
        revenue_cents = revenue_cents + excluded.revenue_cents,
        engagement_milli = engagement_milli + excluded.engagement_milli,
        first_at = min(first_at, excluded.first_at),
        last_at = max(last_at, excluded.last_at),
        type_events = json_patch(type_events, json_object(NEW.event_type,
            coalesce((SELECT j.value FROM json_each(profile_activity.type_events) j
                      WHERE j.key = NEW.event_type), 0) + 1));
END;

CREATE TRIGGER IF NOT EXISTS identifiers_activity_insert AFTER INSERT ON identifiers
WHEN EXISTS (SELECT 1 FROM identifier_activity WHERE identifier_key = NEW.key)
BEGIN
    {_recount("NEW.profile_id")}
END;

CREATE TRIGGER IF NOT EXISTS identifiers_activity_move AFTER UPDATE OF profile_id ON identifiers
WHEN OLD.profile_id IS NOT NEW.profile_id
 AND EXISTS (SELECT 1 FROM identifier_activity WHERE identifier_key = NEW.key)
BEGIN
    {_recount("OLD.profile_id")}
    {_recount("NEW.profile_id")}
END;

CREATE TRIGGER IF NOT EXISTS identifiers_activity_delete AFTER DELETE ON identifiers
WHEN EXISTS (SELECT 1 FROM identifier_activity WHERE identifier_key = OLD.key)
BEGIN
    {_recount("OLD.profile_id")}
END;

CREATE TRIGGER IF NOT EXISTS profiles_activity_delete AFTER DELETE ON profiles
BEGIN
    DELETE FROM profile_activity WHERE profile_id = OLD.id;
END;

CREATE TRIGGER IF NOT EXISTS identifiers_consent_insert AFTER INSERT ON identifiers
BEGIN
    UPDATE consent SET profile_id = NEW.profile_id WHERE identifier_key = NEW.key;
END;

CREATE TRIGGER IF NOT EXISTS identifiers_consent_move AFTER UPDATE OF profile_id ON identifiers
WHEN OLD.profile_id IS NOT NEW.profile_id
BEGIN
    UPDATE consent SET profile_id = NEW.profile_id WHERE identifier_key = NEW.key;
END;

CREATE TRIGGER IF NOT EXISTS identifiers_consent_delete AFTER DELETE ON identifiers
BEGIN
    UPDATE consent SET profile_id = NULL WHERE identifier_key = OLD.key;
END;
"""
CONSENT_INDEX = """
CREATE INDEX IF NOT EXISTS consent_by_purpose ON consent (purpose, granted, profile_id)
"""
CONSENT_COLUMNS = "SELECT name FROM pragma_table_info('consent')"
ADD_CONSENT_PROFILE = "ALTER TABLE consent ADD COLUMN profile_id TEXT"
DROP_OLD_CONSENT_INDEX = "DROP INDEX IF EXISTS consent_by_purpose"
FILL_CONSENT_PROFILES = """
UPDATE consent SET profile_id = (
    SELECT i.profile_id FROM identifiers i WHERE i.key = consent.identifier_key
)
"""

GET_META = "SELECT value FROM meta WHERE key = ?"
SET_META = """
INSERT INTO meta (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""
CREDIT_STORED_EVENTS = f"""
INSERT OR IGNORE INTO event_credits
    (event_type, occurred_at, event_id, identifier_key, revenue_cents, properties)
SELECT e.type, e.occurred_at, e.id,
       json_extract(e.identifiers, '$[0][0]') || ':' || json_extract(e.identifiers, '$[0][1]'),
       {_CENTS.format(props="e.properties")}, e.properties
FROM events e
"""
EVENT_CENTS = _CENTS.format(props=":properties")
"""An event's revenue in cents from its properties (the parameter `:properties`), as credited."""
RECOUNT_PROFILE = tuple(part for part in _recount(":profile_id").split(";") if part.strip())
"""One profile's activity row recounted from its identifiers' (the parameter `:profile_id`),
one statement at a time, inside the caller's transaction."""
DROP_ACTIVITY = (
    "DROP TRIGGER IF EXISTS events_credit",
    "DROP TRIGGER IF EXISTS event_credits_activity",
    "DROP TRIGGER IF EXISTS identifiers_activity_insert",
    "DROP TRIGGER IF EXISTS identifiers_activity_move",
    "DROP TRIGGER IF EXISTS identifiers_activity_delete",
    "DROP TRIGGER IF EXISTS profiles_activity_delete",
    "DROP TABLE IF EXISTS event_credits",
    "DROP TABLE IF EXISTS identifier_activity",
    "DROP TABLE IF EXISTS profile_activity",
)
"""Everything derived from events, dropped when its layout changes and rebuilt by crediting
the stored events again."""

# -- trait settings ---------------------------------------------------------------------------
READ_EVENT_SCORES = "SELECT event_type, score_milli FROM trait_event_scores ORDER BY event_type"
READ_ORDER_TYPES = "SELECT event_type FROM trait_order_types ORDER BY event_type"
READ_TRAIT_SETTING = "SELECT value FROM trait_settings WHERE key = ?"
CLEAR_EVENT_SCORES = "DELETE FROM trait_event_scores"
CLEAR_ORDER_TYPES = "DELETE FROM trait_order_types"
INSERT_EVENT_SCORE = "INSERT INTO trait_event_scores (event_type, score_milli) VALUES (?, ?)"
INSERT_ORDER_TYPE = "INSERT INTO trait_order_types (event_type) VALUES (?)"
SET_TRAIT_SETTING = """
INSERT INTO trait_settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""
RECOUNT_ALL_ACTIVITY = (
    "DELETE FROM profile_activity",
    f"""
    INSERT INTO profile_activity
        (profile_id, events, orders, revenue_cents, engagement_milli, first_at, last_at,
         type_events)
    SELECT t.profile_id, sum(t.events), sum(t.is_order * t.events),
           total(t.is_order * t.revenue_cents), sum(t.events * t.score_milli), min(t.first_at),
           max(t.last_at), json_group_object(t.event_type, t.events)
    FROM (
        SELECT i.profile_id, a.event_type, sum(a.events) AS events,
               total(a.revenue_cents) AS revenue_cents, min(a.first_at) AS first_at,
               max(a.last_at) AS last_at,
               {_is_order("a.event_type")} AS is_order,
               {_score_of("a.event_type")} AS score_milli
        FROM identifier_activity a JOIN identifiers i ON i.key = a.identifier_key
        GROUP BY i.profile_id, a.event_type
    ) t
    GROUP BY t.profile_id
    """,
)

# -- segments ---------------------------------------------------------------------------------
INSERT_SEGMENT = """
INSERT INTO segments (id, name, description, definition, purpose, created_at, updated_at)
VALUES (:id, :name, :description, :definition, :purpose, :created_at, :updated_at)
"""
UPDATE_SEGMENT = """
UPDATE segments SET name = :name, description = :description, definition = :definition,
       purpose = :purpose, updated_at = :updated_at
WHERE id = :id
"""
DELETE_SEGMENT = "DELETE FROM segments WHERE id = ?"
SEGMENT_COLUMNS = ("id", "name", "description", "definition", "purpose", "created_at", "updated_at")
_SEGMENT_COLUMNS = ", ".join(SEGMENT_COLUMNS)
GET_SEGMENTS = (
    f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE id IN (SELECT value FROM json_each(?))"
)
SEGMENT_BY_NAME = f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE name = ?"
LIST_SEGMENTS = f"SELECT {_SEGMENT_COLUMNS} FROM segments ORDER BY name, id"

# -- segment evaluation: the frame every compiled condition goes into -------------------------
PEOPLE = "p.junk = 0"
PEOPLE_BY_SCAN = "+p.junk = 0"
"""For conditions that read `attributes`: `+` keeps SQLite from searching the narrow index
and then reading every profile row at random, when one pass over the rows reads less."""
SUMMARY_JOIN = "LEFT JOIN profile_activity s ON s.profile_id = p.id"
SEGMENT_IDS = "SELECT p.id FROM profiles p {join} WHERE {people} AND ({condition})"
SEGMENT_PAGE = """
SELECT p.id FROM profiles p {join}
WHERE {people} AND p.id > :after AND ({condition})
ORDER BY p.id LIMIT :limit
"""
SEGMENT_SIZE = "SELECT count(*) FROM profiles p {join} WHERE {people} AND ({condition})"
COUNT_PEOPLE = "SELECT count(*) FROM profiles p WHERE p.junk = 0"
SEGMENT_MEMBERSHIP = """
SELECT p.id{columns} FROM profiles p {join}
WHERE {people} AND p.id IN (SELECT value FROM json_each(:profile_ids))
"""
SEGMENT_MEMBERSHIP_COLUMN = ", {condition}"
SEGMENT_CONTACTS = """
WITH members (id) AS MATERIALIZED ({members})
SELECT i.profile_id, i.type, i.value
FROM members m CROSS JOIN identifiers i ON i.profile_id = m.id
WHERE i.key >= :contact_low AND i.key < :contact_high AND i.junk = 0
  AND (:purpose IS NULL OR EXISTS (
      SELECT 1 FROM consent c
      WHERE c.identifier_key = i.key AND c.purpose = :purpose AND c.granted = 1))
ORDER BY i.profile_id, i.value
"""
"""Members first (CROSS JOIN), then their identifiers of the type as a range of keys
(`type:` up to `type;`) in the index by profile, so other identifiers are never read."""

# -- consent ----------------------------------------------------------------------------------
INSERT_CONSENT_STATEMENT = """
INSERT OR IGNORE INTO consent_statements
    (identifier_key, purpose, granted, stated_at, source, recorded_at)
VALUES (:key, :purpose, :granted, :stated_at, :source, :recorded_at)
"""
UPSERT_CONSENT = """
INSERT INTO consent (identifier_key, purpose, granted, stated_at, source, profile_id)
VALUES (:key, :purpose, :granted, :stated_at, :source,
        (SELECT i.profile_id FROM identifiers i WHERE i.key = :key))
ON CONFLICT (identifier_key, purpose) DO UPDATE SET
    granted = excluded.granted, stated_at = excluded.stated_at, source = excluded.source
WHERE excluded.stated_at > consent.stated_at
   OR (excluded.stated_at = consent.stated_at AND excluded.granted < consent.granted)
   OR (excluded.stated_at = consent.stated_at AND excluded.granted = consent.granted
       AND excluded.source < consent.source)
"""
CONSENT_OF_IDENTIFIERS = """
SELECT identifier_key, purpose, granted, stated_at, source FROM consent
WHERE identifier_key IN (SELECT value FROM json_each(?))
ORDER BY identifier_key, purpose
"""
CONSENT_OF_PROFILES = """
SELECT i.profile_id, c.identifier_key, c.purpose, c.granted, c.stated_at, c.source
FROM identifiers i JOIN consent c ON c.identifier_key = i.key
WHERE i.profile_id IN (SELECT value FROM json_each(?))
ORDER BY i.profile_id, c.identifier_key, c.purpose
"""

# -- traits -----------------------------------------------------------------------------------
TRAIT_PROFILES = """
SELECT p.id, p.created_at, p.updated_at, p.attributes, p.type_counts,
       s.events, s.orders, s.revenue_cents, s.engagement_milli, s.first_at, s.last_at,
       s.type_events
FROM profiles p LEFT JOIN profile_activity s ON s.profile_id = p.id
WHERE p.id IN (SELECT value FROM json_each(?))
"""

# -- insights ---------------------------------------------------------------------------------
COUNT_PROFILES_AND_PEOPLE = "SELECT count(*), coalesce(sum(junk = 0), 0) FROM profiles"
PROFILE_SIZES = "SELECT size, count(*) FROM profiles INDEXED BY profiles_for_segments GROUP BY size"
COUNT_MERGES = "SELECT count(*) FROM merges"
ATTRIBUTE_PRESENT = ", coalesce(sum(json_type(attributes, {path}) IS NOT NULL), 0)"
ATTRIBUTE_COMPLETENESS = "SELECT count(*){columns} FROM profiles WHERE +junk = 0"
EVENTS_PER_DAY = """
WITH RECURSIVE types (event_type) AS (
    SELECT min(event_type) FROM event_credits
    UNION ALL
    SELECT (SELECT min(c.event_type) FROM event_credits c WHERE c.event_type > t.event_type)
    FROM types t WHERE t.event_type IS NOT NULL
)
SELECT substr(c.occurred_at, 1, 10) AS day, c.event_type, count(*),
       total(c.revenue_cents)
FROM types t
JOIN event_credits c ON c.event_type = t.event_type
 AND c.occurred_at >= :since AND c.occurred_at < :until
GROUP BY day, c.event_type
ORDER BY day, c.event_type
"""
BUYER_VALUES = """
SELECT {value} AS v FROM profiles p JOIN profile_activity s ON s.profile_id = p.id
WHERE p.junk = 0 AND s.orders > 0
"""
VALUE_HISTOGRAM = """
SELECT {bucket} AS bucket, count(*), sum(v), min(v), max(v) FROM ({values}) GROUP BY bucket
"""
VALUES_AT_RANKS = """
SELECT rank, v FROM (SELECT v, row_number() OVER (ORDER BY v) - 1 AS rank FROM ({values}))
WHERE rank IN (SELECT value FROM json_each(:ranks))
"""
