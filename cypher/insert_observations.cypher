// Appends observations to the log. A known ID or log position violates a uniqueness constraint
// and fails the whole transaction, so nothing of the changeset is kept.
// Parameters:
//   $rows: list of {seq, id, source, observed_at, payload, received_at}
UNWIND $rows AS row
CREATE (:Observation {
  seq: row.seq, id: row.id, source: row.source, observed_at: row.observed_at,
  payload: row.payload, received_at: row.received_at
})
