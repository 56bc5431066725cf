// Steward decision: moves each identifier IN the given profile (which exists: profile rows are
// written first); an identifier already there is left as it is.
// Parameters:
//   $rows: list of {key, profile_id}
UNWIND $rows AS row
MATCH (i:Identifier {key: row.key})-[old:IN]->(q:Profile)
WHERE q.id <> row.profile_id
MATCH (p:Profile {id: row.profile_id})
DELETE old
CREATE (i)-[:IN]->(p)
