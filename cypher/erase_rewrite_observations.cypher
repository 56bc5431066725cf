// Erasure: replaces the payload of logged observations that also carried someone else with
// their redacted wire JSON; the log position, ID, source and times stay.
// Parameters:
//   $rows: list of {seq, payload (the redacted JSON text)}
UNWIND $rows AS row
MATCH (o:Observation {seq: row.seq})
SET o.payload = row.payload
