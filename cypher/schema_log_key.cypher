// Constraint: one :LogKey per identifier key, the log index (store/neo4j_log_index.py): each
// logged :Observation that carried the key points at it (CARRIED). It is about the log, not the
// graph, so a rebuild keeps it; the index behind every lookup by key.
// Parameters: none
CREATE CONSTRAINT log_key IF NOT EXISTS
FOR (k:LogKey) REQUIRE k.key IS UNIQUE
