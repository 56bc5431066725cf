// Constraint: one observation per log position; the ordered index that reads the log in order.
// Parameters: none
CREATE CONSTRAINT observation_seq IF NOT EXISTS
FOR (o:Observation) REQUIRE o.seq IS UNIQUE
