// Rebuild under changed key rules: each event is credited to its first key as the new rules make
// it and CARRIES the :EventKey of each key it newly names (erase_rewrite_events has already
// written its identifier list and removed the relationships to the keys it no longer names).
// Parameters:
//   $rows: list of {id, credited_key, added (list of identifier keys it newly names)}
UNWIND $rows AS row
MATCH (e:Event {id: row.id})
SET e.credited_key = row.credited_key
WITH e, row
UNWIND row.added AS key
MERGE (k:EventKey {key: key})
MERGE (e)-[:CARRIES]->(k)
