// Steward decision: records cannot-link constraints; a pair that has one already keeps it, and
// only the constraints made here are returned (an undo deletes exactly those).
// Parameters:
//   $rows: list of {id, a, b, reason, created_at}, a < b, with fresh IDs
// Returns: id (of each constraint created)
UNWIND $rows AS row
MERGE (c:CannotLink {a: row.a, b: row.b})
ON CREATE SET c.id = row.id, c.reason = row.reason, c.created_at = row.created_at
WITH c, row
WHERE c.id = row.id
RETURN c.id AS id
