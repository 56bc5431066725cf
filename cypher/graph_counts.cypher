// The counts of the insights dashboard in one statement (the variable scope clause `CALL ()`
// needs Neo4j 5.23 or later); people are profiles not only of junk, held links identifier
// pairs with at least one held EVIDENCE relationship.
// Parameters: none
// Returns: profiles, people, merges, held_links, open_review_items,
//   identifiers_by_type (list of [type, count]), profile_sizes (list of [size, count])
CALL () {
  MATCH (p:Profile)
  RETURN count(p) AS profiles, count(CASE WHEN NOT p.junk THEN 1 END) AS people
}
CALL () {
  MATCH (m:Merge)
  RETURN count(m) AS merges
}
CALL () {
  MATCH (a)-[e:EVIDENCE]->(b)
  WHERE e.status = 'held'
  WITH DISTINCT a, b
  RETURN count(*) AS held_links
}
CALL () {
  MATCH (r:ReviewItem)
  WHERE r.status = 'open'
  RETURN count(r) AS open_review_items
}
CALL () {
  MATCH (i:Identifier)
  WITH i.type AS type, count(*) AS identifiers
  RETURN collect([type, identifiers]) AS identifiers_by_type
}
CALL () {
  MATCH (p:Profile)
  WITH p.size AS size, count(*) AS having_size
  RETURN collect([size, having_size]) AS profile_sizes
}
RETURN profiles, people, merges, held_links, open_review_items, identifiers_by_type,
       profile_sizes
