// Constraint: an erased record is remembered once, by the fingerprint of its kind and ID (the
// ID itself is never stored); its index answers ingest's erased_fingerprints seeks.
// Parameters: none
CREATE CONSTRAINT erased_record_fingerprint IF NOT EXISTS
FOR (r:ErasedRecord) REQUIRE r.fingerprint IS UNIQUE
