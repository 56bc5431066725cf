// Appends audit entries, each linked to the profile IDs it names; an ID already stored is kept
// as it was.
// Parameters:
//   $rows: list of {id, at, actor, action, reason, subject, before, after, details, profiles}
//          (before, after and details as JSON text; profiles a list of profile IDs)
UNWIND $rows AS row
MERGE (a:AuditEntry {id: row.id})
ON CREATE SET a.at = row.at, a.actor = row.actor, a.action = row.action, a.reason = row.reason,
              a.subject = row.subject, a.before = row.before, a.after = row.after,
              a.details = row.details
WITH a, row
UNWIND row.profiles AS profile_id
MERGE (p:AuditProfile {id: profile_id})
MERGE (a)-[:NAMES]->(p)
