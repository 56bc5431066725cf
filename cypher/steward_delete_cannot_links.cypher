// Steward undo: deletes the cannot-link constraints a decision made.
// Parameters:
//   $ids: list of constraint IDs
UNWIND $ids AS id
MATCH (c:CannotLink {id: id})
DELETE c
