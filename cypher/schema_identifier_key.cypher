// Constraint: one :Identifier per key ("type:value"); the index behind every snapshot and lookup.
// Parameters: none
CREATE CONSTRAINT identifier_key IF NOT EXISTS
FOR (i:Identifier) REQUIRE i.key IS UNIQUE
