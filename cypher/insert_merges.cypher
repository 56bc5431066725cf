// Merges, step 5: the merge history, as the engine reported it (survivor at the time).
// Parameters:
//   $rows: list of {id, absorbed, survivor, observation_id, at, reason}
UNWIND $rows AS row
CREATE (:Merge {
  id: row.id, absorbed: row.absorbed, survivor: row.survivor,
  observation_id: row.observation_id, at: row.at, reason: row.reason
})
