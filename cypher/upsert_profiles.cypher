// Writes the whole new state of each profile the batch touched. created_seq and created_at are
// kept once set; updated_at only moves forward (the strings are fixed-width ISO UTC, so string
// order is time order).
// Parameters:
//   $rows: list of {id, size, type_counts (JSON), created_seq, created_at, updated_at, junk,
//     attributes (JSON), candidates (JSON)}
UNWIND $rows AS row
MERGE (p:Profile {id: row.id})
SET p.size = row.size,
    p.type_counts = row.type_counts,
    p.created_seq = coalesce(p.created_seq, row.created_seq),
    p.created_at = coalesce(p.created_at, row.created_at),
    p.updated_at = CASE
      WHEN p.updated_at IS NULL OR p.updated_at < row.updated_at THEN row.updated_at
      ELSE p.updated_at
    END,
    p.junk = row.junk,
    p.attributes = row.attributes,
    p.candidates = row.candidates
