// Index: the consent in force by identifier key alone (every purpose), for a profile's consent
// and an erasure; the composite consent_slot constraint is not used for a lookup on its first
// property only.
// Parameters: none
CREATE INDEX consent_key IF NOT EXISTS
FOR (c:Consent) ON (c.key)
