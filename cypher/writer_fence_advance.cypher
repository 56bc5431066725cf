// Writer lock, step 3, in a transaction of its own once steps 1 and 2 hold the lock: advances
// the writer fence. A previous holder whose lock transaction ended under it (a cluster leader
// switch moved the lock manager, or a lock timeout passed) may still be writing; every write
// of a holder checks the fence first (writer_fence_check), so its next write fails instead of
// committing beside this holder's. Waits for a write of that holder in flight: the check
// write-locks the fence until its transaction ends.
// Parameters:
//   $holder: who advances it (host and process ID)
//   $now: when (fixed-width ISO UTC)
// Returns: fence (the value this holder's writes must find, an integer)
MERGE (f:Meta {key: 'writer_fence'})
ON CREATE SET f.value = 0
SET f.value = f.value + 1, f.holder = $holder, f.advanced_at = $now
RETURN f.value AS fence
