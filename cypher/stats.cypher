// Every count of the statistics in one statement (node counts come from Neo4j's count store;
// the variable scope clause `CALL ()` needs Neo4j 5.23 or later);
// held links are identifier pairs with at least one held EVIDENCE relationship.
// Parameters: none
// Returns: observations, events, rejections, profiles, held_links, open_review_items,
//   identifiers_by_type (list of [type, count])
CALL () {
  MATCH (o:Observation)
  RETURN count(o) AS observations
}
CALL () {
  MATCH (e:Event)
  RETURN count(e) AS events
}
CALL () {
  MATCH (r:Rejection)
  RETURN count(r) AS rejections
}
CALL () {
  MATCH (p:Profile)
  RETURN count(p) AS profiles
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
RETURN observations, events, rejections, profiles, held_links, open_review_items,
       identifiers_by_type
