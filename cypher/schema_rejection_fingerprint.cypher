// Constraint: the same rejected item (same kind and payload) is kept once however often it is sent.
// Parameters: none
CREATE CONSTRAINT rejection_fingerprint IF NOT EXISTS
FOR (r:Rejection) REQUIRE r.fingerprint IS UNIQUE
