// Closes the open review items the graph answered: a later observation joined the profiles
// of their two ends by another path (`AnsweredItem`). Each is closed as 'answered', naming
// that observation, and its pair's held evidence becomes active, as accepting it would; a
// cut relationship stays cut. Runs after upsert_evidence and insert_review_items, whose
// rows of the same batch it may name.
// Parameters:
//   $rows: list of {a, b, observation_id} (a < b)
UNWIND $rows AS row
OPTIONAL MATCH (r:ReviewItem {a: row.a, b: row.b})
WHERE r.status = 'open'
SET r.status = 'answered', r.answered_by = row.observation_id
WITH DISTINCT row
MATCH (:Identifier {key: row.a})-[e:EVIDENCE]->(:Identifier {key: row.b})
WHERE e.status = 'held'
SET e.status = 'active'
