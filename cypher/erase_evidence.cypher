// Erasure: deletes every EVIDENCE relationship (any source, any status) with an end among the
// erased identifiers, each once, before the identifiers themselves go; returns how many.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
// Returns: removed
UNWIND $keys AS key
MATCH (:Identifier {key: key})-[e:EVIDENCE]-()
WITH DISTINCT e
DELETE e
RETURN count(*) AS removed
