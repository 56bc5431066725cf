// Index: evidence relationships by status, so held links are counted without a scan of all evidence.
// Parameters: none
CREATE INDEX evidence_status IF NOT EXISTS
FOR ()-[e:EVIDENCE]-() ON (e.status)
