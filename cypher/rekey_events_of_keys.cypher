// Rebuild under changed key rules: every event that CARRIES one of the keys the new rules make
// otherwise, each once, with its stored identifier list (the caller makes the new one: Cypher
// cannot edit the JSON) and what its credit adds to a key's activity.
// Parameters:
//   $keys: list of identifier keys ("type:value") the new rules change
// Returns: id, identifiers (JSON list of [type, value]), type, occurred_at, credited_key,
//   revenue_cents
UNWIND $keys AS key
MATCH (:EventKey {key: key})<-[:CARRIES]-(e:Event)
WITH DISTINCT e
RETURN e.id AS id, e.identifiers AS identifiers, e.type AS type, e.occurred_at AS occurred_at,
       e.credited_key AS credited_key, e.revenue_cents AS revenue_cents
ORDER BY id
