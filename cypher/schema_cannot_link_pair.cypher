// Constraint: one cannot-link constraint per identifier pair (a < b).
// Parameters: none
CREATE CONSTRAINT cannot_link_pair IF NOT EXISTS
FOR (c:CannotLink) REQUIRE (c.a, c.b) IS UNIQUE
