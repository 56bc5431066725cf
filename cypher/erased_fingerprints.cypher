// Which of the given fingerprints belong to an observation or event an erasure removed (one
// index seek each), so that ingest answers a resent erased record as a duplicate.
// Parameters:
//   $fingerprints: list of erased-record fingerprints (SHA-256 hex of kind and ID)
// Returns: fingerprint, one row per remembered fingerprint
UNWIND $fingerprints AS fingerprint
MATCH (r:ErasedRecord {fingerprint: fingerprint})
RETURN r.fingerprint AS fingerprint
