"""The SQL of API keys and the audit log on the embedded store (`sqlite_access.py`), named.

Neither is derived from the observation log, so `RESET_DERIVED` leaves these tables alone.
Optional filters are written `(:x IS NULL OR column = :x)`: one statement reviewed as a whole
instead of SQL assembled per request.
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    name        TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    last4       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    before   TEXT NOT NULL,
    after    TEXT NOT NULL,
    details  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at, id);
CREATE TABLE IF NOT EXISTS audit_profiles (
    profile_id  TEXT NOT NULL,
    entry_id    TEXT NOT NULL,
    PRIMARY KEY (profile_id, entry_id)
) WITHOUT ROWID;
"""

INSERT_KEY = """
INSERT INTO api_keys (name, token_hash, scopes, last4, created_at, revoked_at)
VALUES (?, ?, ?, ?, ?, ?)
"""
KEY_COLUMNS = "name, token_hash, scopes, last4, created_at, revoked_at"
LIST_KEYS = f"SELECT {KEY_COLUMNS} FROM api_keys ORDER BY name"
KEY_BY_HASH = f"SELECT {KEY_COLUMNS} FROM api_keys WHERE token_hash = ?"
KEY_BY_NAME = f"SELECT {KEY_COLUMNS} FROM api_keys WHERE name = ?"
REVOKE_KEY = "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"

INSERT_AUDIT = """
INSERT INTO audit_log (id, at, actor, action, reason, subject, before, after, details)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING
"""
INSERT_AUDIT_PROFILE = """
INSERT INTO audit_profiles (profile_id, entry_id) VALUES (?, ?) ON CONFLICT DO NOTHING
"""
LIST_AUDIT = """
SELECT id, at, actor, action, reason, subject, before, after, details FROM audit_log
WHERE (:actor IS NULL OR actor = :actor)
  AND (:action IS NULL OR action = :action)
  AND (:subject IS NULL OR subject = :subject)
  AND (:profile_id IS NULL
       OR id IN (SELECT entry_id FROM audit_profiles WHERE profile_id = :profile_id))
  AND at >= :from_at AND (at, id) < (:below_at, :below_id)
ORDER BY at DESC, id DESC
LIMIT :limit
"""
SET_AUDIT_DETAILS = "UPDATE audit_log SET details = ? WHERE id = ?"
