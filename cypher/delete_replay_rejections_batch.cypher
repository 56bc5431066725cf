// Rebuild: forgets up to $batch_size rejections a replay of the log made (marked `replay`, an
// index seek: rejection_replay), which the replay makes again for the records still invalid.
// Run until it deletes nothing; the rejections made at ingest stay.
// Parameters:
//   $batch_size: how many nodes one transaction deletes
// Returns: deleted
MATCH (r:Rejection {replay: true})
WITH r
LIMIT $batch_size
DETACH DELETE r
RETURN count(*) AS deleted
