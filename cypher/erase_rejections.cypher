// Erasure: deletes the rejected items that mention the erased person (matched by text in
// Python: they were never parsed into identifiers); returns how many.
// Parameters:
//   $seqs: list of rejection log positions
// Returns: removed
UNWIND $seqs AS seq
MATCH (r:Rejection {seq: seq})
DETACH DELETE r
RETURN count(*) AS removed
