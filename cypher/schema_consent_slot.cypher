// Constraint: one :Consent (the consent in force) per identifier key and purpose; also the index
// that finds an identifier's consent by key.
// Parameters: none
CREATE CONSTRAINT consent_slot IF NOT EXISTS
FOR (c:Consent) REQUIRE (c.key, c.purpose) IS UNIQUE
