// Commit guard, a writer's heartbeat, in a transaction of its own while its write runs: extends
// the lease of the mark it made, and only that mark: a version another writer moved (a new
// holder of the writer lock ended or replaced it) or a fence a new holder advanced is left
// alone, and no row answers, so the heartbeat stops. It write-locks the guard alone, and only
// reads the fence: the write it keeps alive holds the fence write-locked until it commits
// (writer_fence_check), so a heartbeat that locked the fence would wait for that commit and
// the lease would run out under every long batch.
// Parameters:
//   $version: the odd version the writer's guard_begin_write answered
//   $fence: the writer fence its holder advanced (null: the writer holds no writer lock)
//   $now: the writer's clock (fixed-width ISO UTC)
//   $until: $now plus the lease (fixed-width ISO UTC), for readers of releases before the lease
//   $lease_ms: the lease (milliseconds)
// Returns: version (no row when the mark is no longer this writer's)
MATCH (g:Meta {key: 'commit_guard'})
// Write-lock the guard first, so the version compared below is the last one committed.
SET g.lease_renewed_at = $now
WITH g
OPTIONAL MATCH (f:Meta {key: 'writer_fence'})
WITH g, f
WHERE g.version = $version AND ($fence IS NULL OR f.value = $fence)
SET g.writing_until = $until, g.lease_until = timestamp() + $lease_ms
RETURN g.version AS version
