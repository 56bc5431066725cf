// Records that identifiers a and b (a < b) must never share a profile; the same pair again only
// updates the reason and keeps its ID.
// Parameters:
//   $a: the smaller identifier key
//   $b: the larger identifier key
//   $reason: why, in the steward's words
//   $id: the ID to give a new constraint
//   $created_at: fixed-width ISO UTC
// Returns: id (of the new or existing constraint)
MERGE (c:CannotLink {a: $a, b: $b})
ON CREATE SET c.id = $id, c.created_at = $created_at
SET c.reason = $reason
RETURN c.id AS id
