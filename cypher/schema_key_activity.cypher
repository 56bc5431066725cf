// Constraint: one :KeyActivity per identifier key and event type (the activity aggregates'
// building blocks); also the index recount_activity finds a key's activity by.
// Parameters: none
CREATE CONSTRAINT key_activity IF NOT EXISTS
FOR (a:KeyActivity) REQUIRE (a.key, a.type) IS UNIQUE
