// Keeps rejected items with their reason; the same kind and payload (its fingerprint) is kept
// once, the first time.
// Parameters:
//   $rows: list of {seq, kind, item_id, field, reason, payload, fingerprint, received_at}
UNWIND $rows AS row
MERGE (r:Rejection {fingerprint: row.fingerprint})
ON CREATE SET
  r.seq = row.seq,
  r.kind = row.kind,
  r.item_id = row.item_id,
  r.field = row.field,
  r.reason = row.reason,
  r.payload = row.payload,
  r.received_at = row.received_at
