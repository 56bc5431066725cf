// Erasure: review items of others that quoted the old quarantine reason of an identifier the
// erased person's record had quarantined (it may quote their first name) get the new reason.
// Parameters:
//   $rows: list of {id, reason, suggested_action}
UNWIND $rows AS row
MATCH (r:ReviewItem {id: row.id})
SET r.reason = row.reason,
    r.suggested_action = row.suggested_action
