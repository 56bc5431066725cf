// Stores a new segment definition; a taken name violates the segment_name constraint.
// Parameters:
//   $row: {id, name, description, definition (JSON), purpose, created_at, updated_at}
CREATE (s:Segment {
  id: $row.id, name: $row.name, description: $row.description, definition: $row.definition,
  purpose: $row.purpose, created_at: $row.created_at, updated_at: $row.updated_at
})
