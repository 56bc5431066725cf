// One page of the identifier keys events are stored under (their :EventKey nodes), each once, in
// key order after the last one seen: what a rebuild under changed key rules parses again. The
// event_key constraint's index gives them in order from the bound.
// Parameters:
//   $after: the last key of the previous page ('' for the first page)
//   $limit: at most this many keys
// Returns: key
MATCH (k:EventKey)
WHERE k.key > $after
RETURN k.key AS key
ORDER BY key
LIMIT $limit
