// The newest log position ever given: the newest observation's, read from the end of the seq
// index (this runs before every batch), or the :Meta 'log_end' an erasure kept when it deleted
// the newest observations (erase_keep_log_end), whichever is later; 0 for a log never written.
// Parameters: none
// Returns: seq
CALL () {
  MATCH (o:Observation)
  WHERE o.seq IS NOT NULL
  RETURN o.seq AS seq
  ORDER BY seq DESC
  LIMIT 1
  UNION ALL
  MATCH (m:Meta {key: 'log_end'})
  RETURN m.value AS seq
}
RETURN coalesce(max(seq), 0) AS seq
