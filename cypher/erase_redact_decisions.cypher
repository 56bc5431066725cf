// Erasure: keeps the steward decisions that named the erased person without them: each
// body is replaced by its redacted JSON (domain/erasure_decisions.py); ID, kind, log
// position and undo mark stay. A redaction writes the decisions whose snapshots it scrubbed
// of the removed values with it too (domain/redaction_decisions.py).
// Parameters:
//   $rows: list of {id, body (the redacted or scrubbed decision as JSON text)}
// Returns: redacted
UNWIND $rows AS row
MATCH (d:StewardDecision {id: row.id})
SET d.body = row.body
RETURN count(d) AS redacted
