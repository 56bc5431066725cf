// Constraint: one API key per name, for good (a revoked key keeps its name).
// Parameters: none
CREATE CONSTRAINT api_key_name IF NOT EXISTS
FOR (k:ApiKey) REQUIRE k.name IS UNIQUE
