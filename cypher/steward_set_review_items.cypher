// Steward decision: sets review items' status with who resolved them, when and why (all null
// when an undo opens an item again), then answers each pair it opened an item of that now has
// more than one open item: the caller fails the decision on any (Conflict, as the embedded
// store's unique index of open pairs does), for the queue and the opening of new items
// (insert_review_items) take one open item per pair. The check reads after every row is set,
// so it sees the other rows of this statement and the earlier writes of the transaction.
// Parameters:
//   $rows: list of {item_id, status, actor, at, reason}
// Returns: a, b, open_ids (the open items of a pair that has more than one), no row when none
UNWIND $rows AS row
MATCH (r:ReviewItem {id: row.item_id})
SET r.status = row.status,
    r.resolved_by = row.actor,
    r.resolved_at = row.at,
    r.resolution = row.reason
WITH r, row
WHERE row.status = 'open'
WITH DISTINCT r.a AS a, r.b AS b
MATCH (o:ReviewItem {a: a, b: b})
WHERE o.status = 'open'
WITH a, b, collect(o.id) AS open_ids
WHERE size(open_ids) > 1
RETURN a, b, open_ids
