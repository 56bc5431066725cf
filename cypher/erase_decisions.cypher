// Erasure: deletes the steward decisions whose before or after state names the person.
// Parameters:
//   $ids: list of decision IDs, without repeats
// Returns: removed
UNWIND $ids AS id
MATCH (d:StewardDecision {id: id})
DETACH DELETE d
RETURN count(*) AS removed
