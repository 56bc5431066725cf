// Log index: records the identifier keys each logged observation carried, a :LogKey per key
// that the observation CARRIED. MERGEd, so indexing a page again changes nothing. A position no
// longer in the log (its observation erased since the page was read) is skipped: no key is
// indexed against it.
// Parameters:
//   $rows: list of {seq (a log position), keys (list of identifier keys "type:value")}
UNWIND $rows AS row
MATCH (o:Observation {seq: row.seq})
UNWIND row.keys AS key
MERGE (k:LogKey {key: key})
MERGE (o)-[:CARRIED]->(k)
