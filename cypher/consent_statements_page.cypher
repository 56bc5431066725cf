// One page of every kept consent statement, in the order of the consent_statement constraint's
// index (identifier key, purpose, status, time, source), after the last one of the previous
// page; the key bound lets the planner seek the index instead of scanning every statement.
// Parameters:
//   $key: identifier key of the last statement seen ('' for the first page)
//   $purpose: its purpose
//   $granted: its status (false withdrawn, true granted; null for the first page)
//   $stated_at: its time (fixed-width ISO UTC)
//   $source: its source
//   $limit: at most this many statements
// Returns: key, purpose, granted, stated_at, source
MATCH (s:ConsentStatement)
WHERE s.key >= $key
  AND ($granted IS NULL
   OR s.key > $key
   OR (s.key = $key AND (s.purpose > $purpose
   OR (s.purpose = $purpose AND (s.granted > $granted
   OR (s.granted = $granted AND (s.stated_at > $stated_at
   OR (s.stated_at = $stated_at AND s.source > $source))))))))
RETURN s.key AS key, s.purpose AS purpose, s.granted AS granted, s.stated_at AS stated_at,
       s.source AS source
ORDER BY key, purpose, granted, stated_at, source
LIMIT $limit
