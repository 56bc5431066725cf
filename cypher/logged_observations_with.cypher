// Log index: the logged observations that carried any of the given identifier keys, each once,
// in log order (one index seek per key, then the observations that CARRIED it).
// Parameters:
//   $keys: list of identifier keys ("type:value")
// Returns: seq, payload (the observation's wire JSON, as stored), one row per observation
UNWIND $keys AS key
MATCH (:LogKey {key: key})<-[:CARRIED]-(o:Observation)
WITH DISTINCT o
RETURN o.seq AS seq, o.payload AS payload
ORDER BY seq
