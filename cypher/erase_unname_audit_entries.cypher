// Erasure: the `merge` entries of ingest that named an observation the erasure removes name it
// by the fingerprint of its ID instead (a record ID may be an e-mail address).
// Parameters:
//   $rows: list of {id, subject, details (JSON text)}
UNWIND $rows AS row
MATCH (a:AuditEntry {id: row.id})
SET a.subject = row.subject,
    a.details = row.details
