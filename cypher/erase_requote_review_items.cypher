// Erasure: review items of others that quoted the old quarantine reason of an identifier the
// erased person's record had quarantined (it may quote their first name) get the new reason;
// a hub item whose identifier the erasure quarantines again reads as that quarantine, its
// guard too (a replay holds its link so), where `guard` is given.
// Parameters:
//   $rows: list of {id, reason, suggested_action, guard (null: unchanged)}
UNWIND $rows AS row
MATCH (r:ReviewItem {id: row.id})
SET r.reason = row.reason,
    r.suggested_action = row.suggested_action,
    r.guard = coalesce(row.guard, r.guard)
