// One page of review items in the order they were opened, optionally of one status or about some
// identifiers, naming the profiles that hold their identifiers now (the ones recorded when
// opened if an identifier is gone, as after a rebuild).
// Parameters:
//   $after: the page starts after this review item ID (0 for the first page)
//   $status: "open" and so on, or null for every status
//   $limit: at most this many items
//   $touching: list of identifier keys: only items with a or b among them; null for every item
// Returns: id, kind, a, b, profile_a, profile_b, reason, observation_id, status, created_at,
//   guard, source, suggested_action, answered_by, constraint_id (null for an item written before
//   items kept it, as for another guard's), resolution (the reason a steward's decision closed
//   it with; '' while open or answered)
MATCH (r:ReviewItem)
WHERE r.id > $after AND ($status IS NULL OR r.status = $status)
  AND ($touching IS NULL OR r.a IN $touching OR r.b IN $touching)
WITH r
ORDER BY r.id
LIMIT $limit
OPTIONAL MATCH (:Identifier {key: r.a})-[:IN]->(pa:Profile)
OPTIONAL MATCH (:Identifier {key: r.b})-[:IN]->(pb:Profile)
RETURN r.id AS id, r.kind AS kind, r.a AS a, r.b AS b,
       coalesce(pa.id, r.profile_a) AS profile_a, coalesce(pb.id, r.profile_b) AS profile_b,
       r.reason AS reason, r.observation_id AS observation_id, r.status AS status,
       r.created_at AS created_at, coalesce(r.guard, 'limit') AS guard,
       coalesce(r.source, '') AS source, coalesce(r.suggested_action, '') AS suggested_action,
       coalesce(r.answered_by, '') AS answered_by, r.constraint_id AS constraint_id,
       coalesce(r.resolution, '') AS resolution
ORDER BY id
