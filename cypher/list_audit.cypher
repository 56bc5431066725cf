// One page of the audit log, newest first (by time, then ID), with optional filters (null: any).
// Parameters:
//   $actor: the acting key or user, or null
//   $action: one of the audit actions, or null
//   $subject: the decision, key, segment or review item ID, or null
//   $since: entries at or after this fixed-width ISO UTC time, or null
//   $until: entries before this time, or null
//   $cursor_at: the page starts after the entry with this time and ID (null: first page)
//   $cursor_id: the ID of that entry
//   $limit: at most this many entries
// Returns: id, at, actor, action, reason, subject, before, after, details
MATCH (a:AuditEntry)
WHERE ($actor IS NULL OR a.actor = $actor)
  AND ($action IS NULL OR a.action = $action)
  AND ($subject IS NULL OR a.subject = $subject)
  AND ($since IS NULL OR a.at >= $since)
  AND ($until IS NULL OR a.at < $until)
  AND ($cursor_at IS NULL OR a.at < $cursor_at OR (a.at = $cursor_at AND a.id < $cursor_id))
RETURN a.id AS id, a.at AS at, a.actor AS actor, a.action AS action, a.reason AS reason,
       a.subject AS subject, a.before AS before, a.after AS after, a.details AS details
ORDER BY at DESC, id DESC
LIMIT $limit
