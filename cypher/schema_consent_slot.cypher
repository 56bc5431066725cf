// Constraint: one :Consent (the consent in force) per identifier key and purpose; the index that
// finds an identifier's consent of one purpose (by key alone: consent_key).
// Parameters: none
CREATE CONSTRAINT consent_slot IF NOT EXISTS
FOR (c:Consent) REQUIRE (c.key, c.purpose) IS UNIQUE
