// Writer lock, step 1: takes the store's one writer lock by write-locking a :Meta node for
// the rest of this transaction. The transaction stays open while its process reads, resolves
// and commits in other transactions, so another process taking the lock waits here until the
// holder commits or rolls back, or its connection drops (the server rolls back then).
// Parameters:
//   $holder: who takes it (host and process ID), kept with the node once the lock is released
//   $now: when (fixed-width ISO UTC)
MERGE (l:Meta {key: 'writer_lock'})
SET l.holder = $holder, l.taken_at = $now
