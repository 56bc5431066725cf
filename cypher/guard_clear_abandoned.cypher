// Commit guard, in the transaction that advances the writer fence (writer_fence_advance), right
// after it: ends a mark a previous holder of the writer lock left in flight. The advance waited
// for that holder's write in flight, if any, and its later writes fail their fence check, so
// nothing of its mark can still commit: readers need not wait for its lease to run out.
// Parameters:
//   $holder: who takes the lock (host and process ID)
//   $now: when (fixed-width ISO UTC)
MATCH (g:Meta {key: 'commit_guard'})
WHERE g.version % 2 = 1
SET g.version = g.version + 1, g.cleared_by = $holder, g.cleared_at = $now
