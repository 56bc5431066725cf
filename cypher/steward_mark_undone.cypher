// Steward undo: marks a decision undone by another, unless it is undone already.
// Parameters:
//   $id: the undone decision's ID
//   $undone_by: the undo decision's ID
// Returns: marked (1 when marked, 0 when it was undone already or is unknown)
OPTIONAL MATCH (d:StewardDecision {id: $id})
WHERE d.undone_by IS NULL
SET d.undone_by = $undone_by
RETURN count(d) AS marked
