// Replaces a stored segment's name, description, definition, purpose and updated_at; a name
// another segment holds violates the segment_name constraint.
// Parameters:
//   $row: {id, name, description, definition (JSON), purpose, updated_at}
// Returns: updated (0 when no segment has the ID)
OPTIONAL MATCH (s:Segment {id: $row.id})
SET s.name = $row.name, s.description = $row.description, s.definition = $row.definition,
    s.purpose = $row.purpose, s.updated_at = $row.updated_at
RETURN count(s) AS updated
