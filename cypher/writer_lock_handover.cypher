// Writer lock, step 2, once step 1 holds the lock: the bookmarks the previous holder left, so
// that this process reads what that one wrote even from a cluster member that lags behind.
// Parameters: none
// Returns: bookmarks (a list of strings, or null before any holder left some)
MATCH (l:Meta {key: 'writer_lock'})
RETURN l.bookmarks AS bookmarks
