// Commit guard, step 1 of a write, in its own transaction: makes the guard's version odd (a
// write is in flight), so a guarded read taken while the write runs reads again. One property
// carries both facts, so a reader never sees half of this change. The mark holds for a lease
// on the server's clock, which its writer's heartbeats extend (guard_extend_lease): once a
// writer dies the lease runs out, and readers stop waiting for it.
// Parameters:
//   $now: the writer's clock (fixed-width ISO UTC)
//   $until: $now plus the lease (fixed-width ISO UTC), for readers of releases before the
//     lease, which take an odd version past it for one a crashed writer left
//   $lease_ms: the lease (milliseconds)
// Returns: version (the odd version this write's heartbeats and checks name)
MERGE (g:Meta {key: 'commit_guard'})
ON CREATE SET g.version = 0
SET g.version = g.version + 1 + g.version % 2, g.writing_since = $now, g.writing_until = $until
SET g.lease_version = g.version, g.lease_until = timestamp() + $lease_ms
RETURN g.version AS version
