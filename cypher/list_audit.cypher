// One page of the audit log, newest first (by time, then ID), with optional filters (null: any).
// The time bounds are always given, so the audit_entry_at index serves them as a range.
// Parameters:
//   $actor: the acting key or user, or null
//   $action: one of the audit actions, or null
//   $subject: the decision, key, segment or review item ID, or null
//   $from_at: entries at or after this fixed-width ISO UTC time ("" for any)
//   $below_at: entries before this time, or at it and before $below_id: the end of the
//     `until` window or the last entry of the previous page, whichever comes first ("~": none)
//   $below_id: the ID bound at $below_at ("" when the window ends there, "~": none)
//   $limit: at most this many entries
// Returns: id, at, actor, action, reason, subject, before, after, details
MATCH (a:AuditEntry)
WHERE a.at >= $from_at AND a.at <= $below_at
  AND (a.at < $below_at OR a.id < $below_id)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($action IS NULL OR a.action = $action)
  AND ($subject IS NULL OR a.subject = $subject)
WITH a
ORDER BY a.at DESC, a.id DESC
LIMIT $limit
RETURN a.id AS id, a.at AS at, a.actor AS actor, a.action AS action, a.reason AS reason,
       a.subject AS subject, a.before AS before, a.after AS after, a.details AS details
