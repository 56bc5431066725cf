// Redaction: replaces the payload of one logged observation with its wire JSON without the
// redacted attributes; the log position, ID, source and times stay, and so do its :LogKey
// rows (it keeps its identifiers). Answers how many were rewritten (0: nothing logged there).
// Parameters:
//   $seq: the log position
//   $payload: the redacted JSON text
OPTIONAL MATCH (o:Observation {seq: $seq})
SET o.payload = $payload
RETURN count(o) AS rewritten
