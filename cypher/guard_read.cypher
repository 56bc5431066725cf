// Commit guard as a reader sees it, read before and after a guarded read: the read saw one
// consistent state when both are equal and no write was in flight at the first (an even
// version, or an odd one whose lease had run out).
// Parameters: none
// Returns: version (null before the first write), writing_since, writing_until (null when
//   written by a release before it), lease_until (server epoch milliseconds; null unless the
//   current mark has a lease: a writer of a release before the lease marks without one),
//   read_at (the server's clock now, epoch milliseconds)
OPTIONAL MATCH (g:Meta {key: 'commit_guard'})
RETURN g.version AS version, g.writing_since AS writing_since, g.writing_until AS writing_until,
  CASE WHEN g.lease_version = g.version THEN g.lease_until END AS lease_until,
  timestamp() AS read_at
