// Which of the given rejection fingerprints are kept (one index seek each).
// Parameters:
//   $fingerprints: list of rejection fingerprints (kind and payload hashed)
// Returns: fingerprint, one row per kept one
UNWIND $fingerprints AS fingerprint
MATCH (r:Rejection {fingerprint: fingerprint})
RETURN r.fingerprint AS fingerprint
