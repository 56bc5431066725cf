// One page of rejected items in the order they were kept, optionally of one kind.
// Parameters:
//   $after: the page starts after this position (0 for the first page)
//   $kind: "observation", "event", or null for both
//   $limit: at most this many items
// Returns: seq, kind, item_id, field, reason, payload, received_at
MATCH (r:Rejection)
WHERE r.seq > $after AND ($kind IS NULL OR r.kind = $kind)
RETURN r.seq AS seq, r.kind AS kind, r.item_id AS item_id, r.field AS field,
       r.reason AS reason, r.payload AS payload, r.received_at AS received_at
ORDER BY r.seq
LIMIT $limit
