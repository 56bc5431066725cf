// The open review items with their `a` end in one of the given profiles and their `b` end in
// another profile, with the profiles holding both ends now: the caller keeps those whose `b`
// profile is among its profiles too (`open_review_items_between`: the items a batch that
// merged those profiles may have answered).
// One hop per member to its identifiers, one seek of the review_item_pair index by `a`
// (the index's prefix) each, and one hop from `b` to its profile.
// Parameters:
//   $ids: list of profile IDs (current IDs, not aliases)
// Returns: a, b, profile_a, profile_b, in the order the items were opened
UNWIND $ids AS profile_id
MATCH (:Profile {id: profile_id})<-[:IN]-(i:Identifier)
MATCH (r:ReviewItem {a: i.key})
WHERE r.status = 'open' AND r.b IS NOT NULL
MATCH (:Identifier {key: r.b})-[:IN]->(pb:Profile)
WHERE pb.id <> profile_id
RETURN r.a AS a, r.b AS b, profile_id AS profile_a, pb.id AS profile_b
ORDER BY r.id
