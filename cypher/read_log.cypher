// One page of the observation log in log order, an ordered range seek on the seq index.
// Parameters:
//   $after_seq: the page starts after this log position
//   $limit: at most this many entries
// Returns: seq, payload (the observation's wire JSON, exactly as received)
MATCH (o:Observation)
WHERE o.seq > $after_seq
RETURN o.seq AS seq, o.payload AS payload
ORDER BY o.seq
LIMIT $limit
