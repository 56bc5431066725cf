// Skeleton: counts people (profiles not only of junk) and the members of several segments in
// one pass over the profiles. `neo4j_segment_compiler` replaces the placeholder $sizes with a
// list of `count(CASE WHEN <condition> THEN 1 END)`, each condition assembled from the
// compiler's fixed fragments with every client value a parameter ($seg0, $seg1, ...).
// Parameters:
//   $sizes: placeholder for the compiled list of member counts, one per segment
// Returns: people, sizes (list of counts, in the order of the segments)
MATCH (p:Profile)
WHERE NOT p.junk
RETURN count(p) AS people, $sizes AS sizes
