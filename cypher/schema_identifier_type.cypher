// Index: identifiers by type, for the per-type counts of the statistics.
// Parameters: none
CREATE INDEX identifier_type IF NOT EXISTS
FOR (i:Identifier) ON (i.type)
