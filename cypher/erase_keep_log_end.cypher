// Erasure, before deleting observations: keeps the newest log position ever given as the
// :Meta 'log_end', so that observations logged after an erasure deleted the newest ones never
// take a position again (the log index has passed it and would never read them). Read with
// last_sequence.
// Parameters: none
// Returns: nothing
CALL () {
  MATCH (o:Observation)
  WHERE o.seq IS NOT NULL
  RETURN o.seq AS seq
  ORDER BY seq DESC
  LIMIT 1
  UNION ALL
  RETURN 0 AS seq
}
WITH max(seq) AS newest
MERGE (m:Meta {key: 'log_end'})
ON CREATE SET m.value = newest
SET m.value = CASE WHEN newest > m.value THEN newest ELSE m.value END
