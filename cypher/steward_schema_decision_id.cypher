// Constraint: one steward decision per ID.
// Parameters: none
CREATE CONSTRAINT steward_decision_id IF NOT EXISTS
FOR (d:StewardDecision) REQUIRE d.id IS UNIQUE
