// One page of the identifier keys consent statements are kept under, each once, in key order
// after the last one seen: what a rebuild under changed key rules parses again (a range seek of
// the consent_statement_key index).
// Parameters:
//   $after: the last key of the previous page ('' for the first page)
//   $limit: at most this many keys
// Returns: key
MATCH (s:ConsentStatement)
WHERE s.key > $after
RETURN DISTINCT s.key AS key
ORDER BY key
LIMIT $limit
