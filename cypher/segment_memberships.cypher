// Skeleton: for a page of profiles, which of several segments each is in.
// `neo4j_segment_compiler` replaces the placeholder $matches with a list of compiled conditions
// over `p`, one per segment (fixed fragments, every client value a parameter $segN).
// Parameters:
//   $profile_ids: list of profile IDs (current IDs)
//   $matches: placeholder for the compiled list of conditions, one boolean per segment
// Returns: id, matches (list of booleans, in the order of the segments)
UNWIND $profile_ids AS id
MATCH (p:Profile {id: id})
WHERE NOT p.junk
RETURN p.id AS id, $matches AS matches
