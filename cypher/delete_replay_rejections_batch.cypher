// Rebuild: forgets up to $batch_size rejections a replay of the log made (their reason begins
// with $prefix), which the replay makes again for the records still invalid. Run until it
// deletes nothing; the rejections made at ingest stay.
// Parameters:
//   $prefix: how the reason of a rejection made by a replay begins
//   $batch_size: how many nodes one transaction deletes
// Returns: deleted
MATCH (r:Rejection)
WHERE r.kind = 'observation' AND r.reason STARTS WITH $prefix
WITH r
LIMIT $batch_size
DETACH DELETE r
RETURN count(*) AS deleted
