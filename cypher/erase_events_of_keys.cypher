// Erasure: every event that CARRIES one of the erased identifier keys, each once, with its
// stored identifier list, so the caller decides which go (credited to an erased key: the first
// it names) and computes the rewritten list of the others (Cypher cannot edit the JSON).
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
// Returns: id, identifiers (JSON list of [type, value])
UNWIND $keys AS key
MATCH (:EventKey {key: key})<-[:CARRIES]-(e:Event)
WITH DISTINCT e
RETURN e.id AS id, e.identifiers AS identifiers
ORDER BY id
