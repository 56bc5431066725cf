// Index: merge records by survivor, for a profile's merge history.
// Parameters: none
CREATE INDEX merge_survivor IF NOT EXISTS
FOR (m:Merge) ON (m.survivor)
