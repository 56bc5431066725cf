// Constraint: one merge record per ID (IDs order merges of the same moment).
// Parameters: none
CREATE CONSTRAINT merge_id IF NOT EXISTS
FOR (m:Merge) REQUIRE m.id IS UNIQUE
