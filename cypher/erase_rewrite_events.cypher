// Erasure: an event credited to someone else's identifier stays, credited as before, with its
// identifier list rewritten without the erased ones and its CARRIES relationships to their
// :EventKey nodes removed.
// Parameters:
//   $rows: list of {id, identifiers (JSON list of [type, value] without the erased ones),
//     gone (list of the erased keys it named)}
UNWIND $rows AS row
MATCH (e:Event {id: row.id})
SET e.identifiers = row.identifiers
WITH e, row
UNWIND row.gone AS key
MATCH (e)-[carries:CARRIES]->(:EventKey {key: key})
DELETE carries
