// Remembers the observations and events an erasure removed, by fingerprint; one already
// remembered keeps when and by which erasure it first went.
// Parameters:
//   $rows: list of {fingerprint, kind, erased_at, audit_id}
UNWIND $rows AS row
MERGE (r:ErasedRecord {fingerprint: row.fingerprint})
ON CREATE SET
  r.kind = row.kind,
  r.erased_at = row.erased_at,
  r.audit_id = row.audit_id
