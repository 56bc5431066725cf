// Which of the given observation IDs are already in the log (one index seek each).
// Parameters:
//   $ids: list of observation IDs
// Returns: id, one row per known ID
UNWIND $ids AS id
MATCH (o:Observation {id: id})
RETURN o.id AS id
