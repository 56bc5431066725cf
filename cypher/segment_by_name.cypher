// The segment definition with this name, if any.
// Parameters:
//   $name: the segment name
// Returns: id, name, description, definition (JSON), purpose, created_at, updated_at
MATCH (s:Segment {name: $name})
RETURN s.id AS id, s.name AS name, s.description AS description, s.definition AS definition,
       s.purpose AS purpose, s.created_at AS created_at, s.updated_at AS updated_at
