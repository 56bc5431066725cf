// The newest log position ever given: the newest observation's, read from the end of the seq
// index, or the :Meta 'log_end' an erasure kept when it deleted the newest observations
// (erase_keep_log_end), whichever is later; 0 for a log never written.
// Parameters: none
// Returns: seq
OPTIONAL MATCH (o:Observation)
WHERE o.seq IS NOT NULL
WITH o
ORDER BY o.seq DESC
LIMIT 1
OPTIONAL MATCH (m:Meta {key: 'log_end'})
WITH coalesce(o.seq, 0) AS newest, coalesce(m.value, 0) AS kept
RETURN CASE WHEN kept > newest THEN kept ELSE newest END AS seq
