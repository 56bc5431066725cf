// Keeps consent statements, each once: a statement seen before matches its kept node and
// changes nothing.
// Parameters:
//   $rows: list of {key, purpose, granted (bool), stated_at, source, recorded_at}
UNWIND $rows AS row
MERGE (s:ConsentStatement {
  key: row.key, purpose: row.purpose, granted: row.granted, stated_at: row.stated_at,
  source: row.source
})
ON CREATE SET s.recorded_at = row.recorded_at
