// Steward decision: writes evidence relationships exactly as given (a new manual link, a status
// set to cut or active, or the rows an undo restores).
// Parameters:
//   $rows: list of {a, b, source, count, first_seen, last_seen, kind, status, score}
UNWIND $rows AS row
MATCH (a:Identifier {key: row.a})
MATCH (b:Identifier {key: row.b})
MERGE (a)-[e:EVIDENCE {source: row.source}]->(b)
SET e.count = row.count,
    e.first_seen = row.first_seen,
    e.last_seen = row.last_seen,
    e.kind = row.kind,
    e.status = row.status,
    e.score = row.score
