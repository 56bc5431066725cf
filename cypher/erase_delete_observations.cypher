// Erasure: deletes logged observations that carried only the erased person, so a rebuild cannot
// bring them back. Returns how many were found and deleted.
// Parameters:
//   $seqs: list of log positions
// Returns: removed
UNWIND $seqs AS seq
MATCH (o:Observation {seq: seq})
DETACH DELETE o
RETURN count(*) AS removed
