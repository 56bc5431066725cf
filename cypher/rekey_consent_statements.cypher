// Rebuild under changed key rules: each consent statement kept under an old key is kept under its
// new key instead, once (a statement the new key holds already is not made twice), with the
// time it was first recorded.
// Parameters:
//   $changes: list of {old, new} identifier keys ("type:value")
UNWIND $changes AS change
MATCH (s:ConsentStatement {key: change.old})
MERGE (t:ConsentStatement {
  key: change.new, purpose: s.purpose, granted: s.granted, stated_at: s.stated_at,
  source: s.source
})
ON CREATE SET t.recorded_at = s.recorded_at
DETACH DELETE s
