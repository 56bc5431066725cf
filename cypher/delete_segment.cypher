// Deletes a segment definition.
// Parameters:
//   $id: the segment ID
// Returns: deleted (0 or 1)
OPTIONAL MATCH (s:Segment {id: $id})
DETACH DELETE s
RETURN count(s) AS deleted
