// Constraint: one must-link constraint per identifier pair (a < b).
// Parameters: none
CREATE CONSTRAINT must_link_pair IF NOT EXISTS
FOR (m:MustLink) REQUIRE (m.a, m.b) IS UNIQUE
