// Commit guard, step 1 of a write, in its own transaction: makes the guard's version odd (a
// write is in flight), so a guarded read taken while the write runs reads again. One property
// carries both facts, so a reader never sees half of this change.
// Parameters:
//   $now: the writer's clock (fixed-width ISO UTC)
//   $until: the latest its write can last (fixed-width ISO UTC; a batch's commit may take up
//     to the lock timeout), after which readers take an odd version for one a crashed writer
//     left
MERGE (g:Meta {key: 'commit_guard'})
ON CREATE SET g.version = 0
SET g.version = g.version + 1 + g.version % 2, g.writing_since = $now, g.writing_until = $until
