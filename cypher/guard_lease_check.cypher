// Commit guard, the last statement of every write transaction made inside a marked write:
// whether the mark's lease still has $margin_ms to run on the server's clock. A writer commits
// only then, so a write never becomes visible after its lease ran out (heartbeats that could
// not reach the server): a reader that took the mark for one a crashed writer left cannot
// then see half of it. Reads the guard without locking it, so heartbeats go on meanwhile.
// Parameters:
//   $version: the odd version the writer's guard_begin_write answered
//   $margin_ms: how long the lease must still run (milliseconds): time for the commit
// Returns: held (true when the mark is still this writer's and its lease runs long enough)
OPTIONAL MATCH (g:Meta {key: 'commit_guard'})
RETURN coalesce(g.version = $version AND g.lease_until >= timestamp() + $margin_ms, false)
  AS held
