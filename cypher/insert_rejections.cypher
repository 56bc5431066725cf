// Keeps rejected items with their reason; the same kind and payload (its fingerprint) is kept
// once, the first time. One a replay of the log made is marked `replay` (true; null leaves the
// property out), for the rebuild to find by index (delete_replay_rejections_batch).
// Parameters:
//   $rows: list of {seq, kind, item_id, field, reason, payload, fingerprint, received_at,
//     replay}
UNWIND $rows AS row
MERGE (r:Rejection {fingerprint: row.fingerprint})
ON CREATE SET
  r.seq = row.seq,
  r.kind = row.kind,
  r.item_id = row.item_id,
  r.field = row.field,
  r.reason = row.reason,
  r.payload = row.payload,
  r.received_at = row.received_at,
  r.replay = row.replay
