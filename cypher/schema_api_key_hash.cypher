// Constraint: token hashes are unique; backs the lookup of every authenticated request.
// Parameters: none
CREATE CONSTRAINT api_key_hash IF NOT EXISTS
FOR (k:ApiKey) REQUIRE k.token_hash IS UNIQUE
