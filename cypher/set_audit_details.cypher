// Replaces the details of one audit entry (a fact known only after the entry's own
// transaction: what an erasure left in others' records); its other properties stay.
// Parameters:
//   $id: the entry's ID
//   $details: JSON text
MATCH (a:AuditEntry {id: $id})
SET a.details = $details
