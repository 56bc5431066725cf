// Constraint: one :Segment per ID.
// Parameters: none
CREATE CONSTRAINT segment_id IF NOT EXISTS
FOR (s:Segment) REQUIRE s.id IS UNIQUE
