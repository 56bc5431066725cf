// One page of profile IDs in ID order (an ordered range seek on the profile_id constraint's
// index), for work done over every profile a page at a time.
// Parameters:
//   $after: the last profile ID of the previous page ('' for the first page)
//   $limit: at most this many IDs
// Returns: id
MATCH (p:Profile)
WHERE p.id > $after
RETURN p.id AS id
ORDER BY id
LIMIT $limit
