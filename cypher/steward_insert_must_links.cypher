// Steward decision: records must-link constraints; a pair that has one already keeps it, and
// only the constraints made here are returned (an undo deletes exactly those).
// Parameters:
//   $rows: list of {id, a, b, reason, created_at}, a < b, with fresh IDs
// Returns: id (of each constraint created)
UNWIND $rows AS row
MERGE (m:MustLink {a: row.a, b: row.b})
ON CREATE SET m.id = row.id, m.reason = row.reason, m.created_at = row.created_at
WITH m, row
WHERE m.id = row.id
RETURN m.id AS id
