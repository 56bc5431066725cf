// Opens review items, at most one open item per identifier pair: a pair that already has an
// open item (or gets one earlier in the same list) is left as it is.
// Parameters:
//   $rows: list of {id, kind, a, b, profile_a, profile_b, reason, observation_id, created_at,
//     guard, source, suggested_action, constraint_id (the cannot-link constraint that held the
//     link, null for another guard: a null property is not set)}
UNWIND $rows AS row
MERGE (r:ReviewItem {a: row.a, b: row.b, status: 'open'})
ON CREATE SET
  r.id = row.id,
  r.kind = row.kind,
  r.profile_a = row.profile_a,
  r.profile_b = row.profile_b,
  r.reason = row.reason,
  r.observation_id = row.observation_id,
  r.created_at = row.created_at,
  r.guard = row.guard,
  r.source = row.source,
  r.suggested_action = row.suggested_action,
  r.constraint_id = row.constraint_id
