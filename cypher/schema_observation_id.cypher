// Constraint: an observation ID is logged once; a second one fails the whole changeset.
// Parameters: none
CREATE CONSTRAINT observation_id IF NOT EXISTS
FOR (o:Observation) REQUIRE o.id IS UNIQUE
