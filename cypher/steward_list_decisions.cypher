// One page of the decision log, oldest first.
// Parameters:
//   $after: the page starts after this log position (0 for the first page)
//   $limit: at most this many decisions
// Returns: id, kind, seq, body, undone_by
MATCH (d:StewardDecision)
WHERE d.seq > $after
RETURN d.id AS id, d.kind AS kind, d.seq AS seq, d.body AS body, d.undone_by AS undone_by
ORDER BY d.seq
LIMIT $limit
