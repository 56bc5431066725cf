// Constraint: segment names are unique; creating or renaming onto a taken name fails.
// Parameters: none
CREATE CONSTRAINT segment_name IF NOT EXISTS
FOR (s:Segment) REQUIRE s.name IS UNIQUE
