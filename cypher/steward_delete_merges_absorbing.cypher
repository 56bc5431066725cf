// Steward decision: deletes the merge notes that absorbed the given profile IDs (aliases a
// re-applied split drops, live never having had them). No index serves a lookup by absorbed,
// so this reads every merge record once per ID; only a replay after an erasure drops aliases,
// a few at a time, as erase_merges reads them all for an erasure.
// Parameters:
//   $ids: list of absorbed profile IDs
UNWIND $ids AS id
MATCH (m:Merge {absorbed: id})
DELETE m
