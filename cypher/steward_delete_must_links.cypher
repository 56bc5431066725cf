// Steward undo: deletes the must-link constraints a decision made.
// Parameters:
//   $ids: list of constraint IDs
UNWIND $ids AS id
MATCH (m:MustLink {id: id})
DELETE m
