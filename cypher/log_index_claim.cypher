// Log index: the log position the index is filled up to, read under a write lock on its :Meta
// node held to the end of the transaction (the counter always changes, so the lock is taken):
// a page that another transaction indexed meanwhile, and an erasure may have pruned since, is
// not indexed again. Creates the node at 0 the first time.
// Parameters:
//   $key: the :Meta key of the position
// Returns: value
MERGE (m:Meta {key: $key})
ON CREATE SET m.value = 0
SET m.claims = coalesce(m.claims, 0) + 1
RETURN m.value AS value
