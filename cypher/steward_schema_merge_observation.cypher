// Index: merge records by the observation (or steward decision) that made them, so an undo
// deletes the merge notes of its decision.
// Parameters: none
CREATE INDEX merge_observation IF NOT EXISTS
FOR (m:Merge) ON (m.observation_id)
