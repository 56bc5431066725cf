// Constraint: one :Alias per absorbed profile ID, so an old ID resolves with one index seek.
// Parameters: none
CREATE CONSTRAINT alias_id IF NOT EXISTS
FOR (a:Alias) REQUIRE a.id IS UNIQUE
