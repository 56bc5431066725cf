// Steward slice, step 1: the rows of the given profiles, every property as stored.
// Parameters:
//   $ids: list of current profile IDs
// Returns: id, size, type_counts (JSON), created_seq, created_at, updated_at, junk,
//   attributes (JSON), candidates (JSON)
UNWIND $ids AS id
MATCH (p:Profile {id: id})
RETURN p.id AS id, p.size AS size, p.type_counts AS type_counts,
       p.created_seq AS created_seq, p.created_at AS created_at, p.updated_at AS updated_at,
       p.junk AS junk, p.attributes AS attributes, p.candidates AS candidates
