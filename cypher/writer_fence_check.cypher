// Writer fence, the first statement of every write transaction run while holding the writer
// lock: write-locks the fence until this transaction ends, so a new holder's advance
// (writer_fence_advance) waits for it and this transaction cannot commit after a new holder
// has begun, and answers the fence's value. The caller commits only when the value is still
// the one its own advance returned.
// Parameters:
//   $now: when (fixed-width ISO UTC)
// Returns: fence (an integer; no row when no holder ever advanced it)
MATCH (f:Meta {key: 'writer_fence'})
SET f.checked_at = $now
RETURN f.value AS fence
