// Erasure: deletes the review items (open or resolved; a resolution lives on its item) whose
// pair has an end among the erased identifiers; returns how many. No index serves a lookup
// by b alone, so this reads every review item once, which an erasure (rare, and reading the
// whole observation log anyway) can afford.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
// Returns: removed
MATCH (r:ReviewItem)
WHERE r.a IN $keys OR r.b IN $keys
DETACH DELETE r
RETURN count(*) AS removed
