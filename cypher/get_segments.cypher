// Segment definitions by ID; unknown IDs find nothing.
// Parameters:
//   $ids: list of segment IDs
// Returns: id, name, description, definition (JSON), purpose, created_at, updated_at
UNWIND $ids AS id
MATCH (s:Segment {id: id})
RETURN s.id AS id, s.name AS name, s.description AS description, s.definition AS definition,
       s.purpose AS purpose, s.created_at AS created_at, s.updated_at AS updated_at
