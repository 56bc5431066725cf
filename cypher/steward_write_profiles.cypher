// Steward decision: writes profile rows exactly as given (an undo writes the rows it kept back,
// so nothing is merged with what is stored). Like upsert_profiles, `SET p = row.filterable`
// replaces every property so the filterable attributes (`attr_<name>`) match the golden ones;
// the activity aggregates (`act_*`) it clears are recounted later in the same transaction.
// Parameters:
//   $rows: list of {id, size, type_counts (JSON), created_seq, created_at, updated_at, junk,
//     attributes (JSON), candidates (JSON), filterable (map of attr_<name> to value),
//     identifier_types (list of the types the profile holds)}
UNWIND $rows AS row
MERGE (p:Profile {id: row.id})
SET p = row.filterable
SET p.id = row.id,
    p.size = row.size,
    p.type_counts = row.type_counts,
    p.identifier_types = row.identifier_types,
    p.created_seq = row.created_seq,
    p.created_at = row.created_at,
    p.updated_at = row.updated_at,
    p.junk = row.junk,
    p.attributes = row.attributes,
    p.candidates = row.candidates
