// Start of a store written before rejections were marked: marks `replay` on the rejections of
// one page, in log order, whose reason says a replay of the log made them (it begins with
// $prefix), so the rebuild's index seek (delete_replay_rejections_batch) finds them too. Pages
// follow the ordered index of `seq`, so marking every rejection reads each once.
// Parameters:
//   $after: the last `seq` of the page before (-1 for the first)
//   $prefix: how the reason of a rejection made by a replay begins
//   $batch_size: how many rejections one page reads
// Returns: last (the last `seq` of this page; null when there was none left)
MATCH (r:Rejection)
WHERE r.seq > $after
WITH r
ORDER BY r.seq
LIMIT $batch_size
WITH collect(r) AS page
FOREACH (made IN [x IN page WHERE x.kind = 'observation' AND x.reason STARTS WITH $prefix] |
  SET made.replay = true
)
RETURN page[-1].seq AS last
