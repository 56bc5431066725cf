// Constraint: one :Identifier per (type, value). A composite uniqueness constraint, which Neo4j 5
// Community supports (IS NODE KEY would need Enterprise).
// Parameters: none
CREATE CONSTRAINT identifier_type_value IF NOT EXISTS
FOR (i:Identifier) REQUIRE (i.type, i.value) IS UNIQUE
