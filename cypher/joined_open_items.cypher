// The open review items whose two ends are in one profile now, with the profiles that held
// them when each was opened: what a database written before records answered review items
// left open. Read once per database (a one-off upgrade), so a scan of the open items is fine.
// Parameters: none
// Returns: a, b, opened_a, opened_b, profile_id, in the order the items were opened
MATCH (r:ReviewItem)
WHERE r.status = 'open' AND r.b IS NOT NULL
MATCH (:Identifier {key: r.a})-[:IN]->(p:Profile)
MATCH (:Identifier {key: r.b})-[:IN]->(p)
RETURN r.a AS a, r.b AS b, r.profile_a AS opened_a, r.profile_b AS opened_b,
       p.id AS profile_id
ORDER BY r.id
