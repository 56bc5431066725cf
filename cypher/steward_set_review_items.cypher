// Steward decision: sets review items' status with who resolved them, when and why (all null
// when an undo opens an item again).
// Parameters:
//   $rows: list of {item_id, status, actor, at, reason}
UNWIND $rows AS row
MATCH (r:ReviewItem {id: row.item_id})
SET r.status = row.status,
    r.resolved_by = row.actor,
    r.resolved_at = row.at,
    r.resolution = row.reason
