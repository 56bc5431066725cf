// Index: a key's activity by key alone (every type), for recount_activity; the composite
// key_activity constraint is not used for a lookup on its first property only.
// Parameters: none
CREATE INDEX key_activity_key IF NOT EXISTS
FOR (a:KeyActivity) ON (a.key)
