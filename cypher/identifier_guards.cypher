// The guard state (hub joins, quarantine) of each given identifier that has one.
// Parameters:
//   $keys: list of identifier keys ("type:value")
// Returns: key, joins, quarantined, reason, quarantined_seq, join_seqs (null on an identifier
// whose state was written before guards kept their log positions: read as 0 and none)
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
WHERE i.guard_joins IS NOT NULL
RETURN i.key AS key, i.guard_joins AS joins, i.quarantined AS quarantined,
       i.quarantine_reason AS reason, i.quarantined_seq AS quarantined_seq,
       i.join_seqs AS join_seqs
