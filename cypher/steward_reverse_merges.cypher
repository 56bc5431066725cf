// Steward decision: turns the merge notes that absorbed each pair's first profile ID into its
// second the other way round, keeping the note's id, observation, time and reason (a merge a
// re-applied split finds a replay made with the survivor live had absorbed). Run before
// steward_delete_merges_absorbing. No index serves a lookup by absorbed; only a replay after an
// erasure reverses notes, one or two at a time.
// Parameters:
//   $pairs: list of {absorbed, survivor}
UNWIND $pairs AS pair
MATCH (m:Merge {absorbed: pair.absorbed, survivor: pair.survivor})
SET m.absorbed = pair.survivor, m.survivor = pair.absorbed
