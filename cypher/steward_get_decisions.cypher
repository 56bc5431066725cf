// Steward decisions by ID.
// Parameters:
//   $ids: list of decision IDs
// Returns: id, kind, seq, body, undone_by
UNWIND $ids AS id
MATCH (d:StewardDecision {id: id})
RETURN d.id AS id, d.kind AS kind, d.seq AS seq, d.body AS body, d.undone_by AS undone_by
