// Constraint: a consent statement is kept once, so a resent statement changes nothing.
// Parameters: none
CREATE CONSTRAINT consent_statement IF NOT EXISTS
FOR (s:ConsentStatement) REQUIRE (s.key, s.purpose, s.granted, s.stated_at, s.source) IS UNIQUE
