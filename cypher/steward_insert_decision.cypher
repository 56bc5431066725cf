// Steward decision: logs the decision; the ID is unique, so a decision is logged once.
// Parameters:
//   $id: the decision's ID
//   $seq: its position in the decision log
//   $kind: split, manual_merge, review_accept, review_reject or undo
//   $body: everything else of it, as JSON
CREATE (:StewardDecision {id: $id, seq: $seq, kind: $kind, body: $body})
