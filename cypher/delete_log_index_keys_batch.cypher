// Rebuild, after delete_log_index_links_batch: forgets up to $batch_size :LogKey nodes of the
// log index (no relationship is left on them). Run until it deletes nothing.
// Parameters:
//   $batch_size: how many nodes one transaction deletes
// Returns: deleted
MATCH (k:LogKey)
WITH k
LIMIT $batch_size
DETACH DELETE k
RETURN count(*) AS deleted
