// Erasure: a review item of others answered by an observation the erasure removes (its record
// joined their profiles) names it by the fingerprint of its ID instead, as the erased records
// keep it (a record ID may be an e-mail address).
// Parameters:
//   $rows: list of {id, named}
UNWIND $rows AS row
MATCH (r:ReviewItem {status: 'answered'})
WHERE r.answered_by = row.id
SET r.answered_by = row.named
