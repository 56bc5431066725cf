// Writes the whole new state of each profile the batch touched. The golden attributes are kept
// twice: as JSON (read back exactly) and as filterable properties `attr_<name>` (segments read
// them by key as a parameter). `SET p = row.filterable` replaces every property, so an
// attribute a profile lost is gone; the activity aggregates (`act_*`) it also clears are
// recounted by recount_activity later in the same transaction. created_seq and created_at are
// kept once set; updated_at only moves forward (fixed-width ISO UTC strings: string order is
// time order).
// Parameters:
//   $rows: list of {id, size, type_counts (JSON), created_seq, created_at, updated_at, junk,
//     attributes (JSON), candidates (JSON), filterable (map of attr_<name> to value),
//     identifier_types (list of the types the profile holds)}
UNWIND $rows AS row
MERGE (p:Profile {id: row.id})
WITH p, row, p {.created_seq, .created_at, .updated_at} AS kept
SET p = row.filterable
SET p.id = row.id,
    p.size = row.size,
    p.type_counts = row.type_counts,
    p.identifier_types = row.identifier_types,
    p.created_seq = coalesce(kept.created_seq, row.created_seq),
    p.created_at = coalesce(kept.created_at, row.created_at),
    p.updated_at = CASE
      WHEN kept.updated_at IS NULL OR kept.updated_at < row.updated_at THEN row.updated_at
      ELSE kept.updated_at
    END,
    p.junk = row.junk,
    p.attributes = row.attributes,
    p.candidates = row.candidates
