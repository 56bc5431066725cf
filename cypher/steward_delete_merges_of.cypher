// Steward undo: deletes the merge notes a decision wrote (their observation_id is its ID).
// Parameters:
//   $decision_id: the decision's ID
MATCH (m:Merge {observation_id: $decision_id})
DELETE m
