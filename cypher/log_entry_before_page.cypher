// Log index: a logged observation past the position the index is filled up to and at or before
// the position a page was read after. One found means the index was reset (a rebuild) since the
// page was read: indexing the page would mark the log indexed over entries it never indexed, so
// it is not indexed. An index seek on the observation's seq (schema_observation_seq).
// Parameters:
//   $filled: the log position the index is filled up to
//   $after: the log position the page was read after
// Returns: seq
MATCH (o:Observation)
WHERE o.seq > $filled AND o.seq <= $after
RETURN o.seq AS seq
LIMIT 1
