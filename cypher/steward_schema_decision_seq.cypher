// Index: steward decisions by log position, for paging the decision log in order.
// Parameters: none
CREATE INDEX steward_decision_seq IF NOT EXISTS
FOR (d:StewardDecision) ON (d.seq)
