// How many people (profiles not only of junk) have each golden attribute, in one pass over the
// profiles; the attributes are read by key (`attr_<name>`) as parameters.
// Parameters:
//   $keys: list of filterable attribute keys (attr_<name>)
// Returns: people, present (list of [key, people having it]; keys nobody has are absent)
CALL () {
  MATCH (p:Profile)
  WHERE NOT p.junk
  RETURN count(p) AS people
}
CALL () {
  MATCH (p:Profile)
  WHERE NOT p.junk
  UNWIND $keys AS key
  WITH key, p
  WHERE p[key] IS NOT NULL
  WITH key, count(p) AS having
  RETURN collect([key, having]) AS present
}
RETURN people, present
