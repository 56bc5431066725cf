// What the resolution engine needs of each given profile: its tallies, not its members.
// Parameters:
//   $ids: list of profile IDs (current IDs, not aliases)
// Returns: id, size, type_counts (JSON), created_seq, created_at, junk, candidates (JSON),
//   updated_at
UNWIND $ids AS id
MATCH (p:Profile {id: id})
RETURN p.id AS id, p.size AS size, p.type_counts AS type_counts,
       p.created_seq AS created_seq, p.created_at AS created_at, p.junk AS junk,
       p.candidates AS candidates, p.updated_at AS updated_at
