// Creates new identifiers, each IN its profile. The profile node is merged here because the
// changeset writes profile states later (same order as the SQLite store); an identifier that
// already exists violates the key constraint and fails the whole transaction.
// Parameters:
//   $rows: list of {key, type, value, profile_id, junk, first_seen}
UNWIND $rows AS row
MERGE (p:Profile {id: row.profile_id})
CREATE (i:Identifier {
  key: row.key, type: row.type, value: row.value, junk: row.junk, first_seen: row.first_seen
})
CREATE (i)-[:IN]->(p)
