// Skeleton: one page of a segment's member profile IDs in ID order (the profile_id constraint's
// index orders them). `neo4j_segment_compiler` replaces the placeholder $condition with the
// compiled condition over `p` (fixed fragments, every client value a parameter $segN).
// Parameters:
//   $condition: placeholder for the compiled segment condition
//   $after: the last profile ID of the previous page ('' for the first page)
//   $limit: page size plus one, to tell whether a next page exists
// Returns: id
MATCH (p:Profile)
WHERE p.id > $after AND NOT p.junk AND $condition
RETURN p.id AS id
ORDER BY id
LIMIT $limit
