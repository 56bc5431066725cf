// Erasure: the audit entries of steward decisions whose reason quoted one of the erased
// person's identifiers keep everything but that reason, replaced as the decision's is.
// Parameters:
//   $ids: list of audit entry IDs, without repeats
//   $reason: the replacement reason
UNWIND $ids AS id
MATCH (a:AuditEntry {id: id})
SET a.reason = $reason
