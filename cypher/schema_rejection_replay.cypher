// Index: the rejections a replay of the log made (`replay` is true on them and absent on the
// others), so a rebuild forgets them with an index seek per batch instead of scanning every
// rejection again each batch. A boolean, not the reason: a reason quotes what was sent and may
// pass the range index's key size limit, which would fail the batch that carries it.
// Parameters: none
CREATE INDEX rejection_replay IF NOT EXISTS
FOR (r:Rejection) ON (r.replay)
