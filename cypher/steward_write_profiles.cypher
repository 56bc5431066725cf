// Steward decision: writes profile rows exactly as given (an undo writes the rows it kept back,
// so nothing is merged with what is stored).
// Parameters:
//   $rows: list of {id, size, type_counts (JSON), created_seq, created_at, updated_at, junk,
//     attributes (JSON), candidates (JSON)}
UNWIND $rows AS row
MERGE (p:Profile {id: row.id})
SET p.size = row.size,
    p.type_counts = row.type_counts,
    p.created_seq = row.created_seq,
    p.created_at = row.created_at,
    p.updated_at = row.updated_at,
    p.junk = row.junk,
    p.attributes = row.attributes,
    p.candidates = row.candidates
