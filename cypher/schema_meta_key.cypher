// Constraint: one :Meta node per key (schema version, rebuild marker, ID counters, commit guard).
// Parameters: none
CREATE CONSTRAINT meta_key IF NOT EXISTS
FOR (m:Meta) REQUIRE m.key IS UNIQUE
