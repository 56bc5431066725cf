// Steward slice, step 4: every EVIDENCE relationship with an end among the given identifiers,
// each once, as (a, b, source) with a < b.
// Parameters:
//   $keys: list of identifier keys
// Returns: a, b, source, count, first_seen, last_seen, kind, status, score
UNWIND $keys AS key
MATCH (:Identifier {key: key})-[e:EVIDENCE]-()
WITH DISTINCT e
RETURN startNode(e).key AS a, endNode(e).key AS b, e.source AS source, e.count AS count,
       e.first_seen AS first_seen, e.last_seen AS last_seen, e.kind AS kind,
       e.status AS status, e.score AS score
ORDER BY a, b, source
