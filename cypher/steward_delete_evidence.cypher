// Steward decision: deletes evidence relationships (an undo removes the manual evidence of a
// steward's merge).
// Parameters:
//   $rows: list of {a, b, source}
UNWIND $rows AS row
MATCH (:Identifier {key: row.a})-[e:EVIDENCE {source: row.source}]->(:Identifier {key: row.b})
DELETE e
