// Erasure: the merge notes made by steward decisions whose reason quoted one of the erased
// person's identifiers keep everything but that reason, replaced whole (as the notes an
// erasure keeps in a decision have it). Run after erase_merges deleted the erased profile's.
// The merge_observation index serves the lookup by decision.
// Parameters:
//   $decision_ids: list of steward decision IDs, without repeats
//   $reason: the replacement reason
// Returns: replaced
UNWIND $decision_ids AS decision_id
MATCH (m:Merge {observation_id: decision_id})
SET m.reason = $reason
RETURN count(*) AS replaced
