// Records the whole guard state of identifiers a batch changed: how many existing profiles a
// link through each joined (and the log positions of the first such joins), and whether it is
// quarantined (kept and shown, linking nothing new) since which log position.
// Parameters:
//   $rows: list of {key, joins, quarantined, reason, quarantined_seq, join_seqs (list)}
UNWIND $rows AS row
MATCH (i:Identifier {key: row.key})
SET i.guard_joins = row.joins,
    i.quarantined = row.quarantined,
    i.quarantine_reason = row.reason,
    i.quarantined_seq = row.quarantined_seq,
    i.join_seqs = row.join_seqs
