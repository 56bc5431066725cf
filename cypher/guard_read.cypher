// Commit guard as a reader sees it, read before and after a guarded read: the read saw one
// consistent state when both versions are equal and even (no write in flight).
// Parameters: none
// Returns: version (null before the first write), writing_since, writing_until (null when
//   written by a release before it)
OPTIONAL MATCH (g:Meta {key: 'commit_guard'})
RETURN g.version AS version, g.writing_since AS writing_since, g.writing_until AS writing_until
