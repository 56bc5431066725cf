// Which of the given event IDs are already stored (one index seek each).
// Parameters:
//   $ids: list of event IDs
// Returns: id, one row per known ID
UNWIND $ids AS id
MATCH (e:Event {id: id})
RETURN e.id AS id
