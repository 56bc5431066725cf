// Commit guard, last step of a write, in its own transaction once the write has committed or
// failed: moves the version on to the next even number (no write in flight), so a guarded read
// that overlapped the write sees another version and reads again.
// Parameters: none
MERGE (g:Meta {key: 'commit_guard'})
ON CREATE SET g.version = 0
SET g.version = g.version + 2 - g.version % 2
