// The log position of the newest observation, read from the end of the seq index; no row for
// an empty log.
// Parameters: none
// Returns: seq
MATCH (o:Observation)
WHERE o.seq IS NOT NULL
RETURN o.seq AS seq
ORDER BY o.seq DESC
LIMIT 1
