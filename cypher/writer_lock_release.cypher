// Writer lock, last step, just before its transaction commits and so releases the lock: leaves
// the bookmarks of the holder's own writes for the next holder (step 2 reads them).
// Parameters:
//   $bookmarks: the driver's bookmarks after the holder's last transaction (list of strings)
//   $now: when (fixed-width ISO UTC)
MATCH (l:Meta {key: 'writer_lock'})
SET l.bookmarks = $bookmarks, l.released_at = $now
