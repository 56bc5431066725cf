// Redaction: the log position and payload of one logged observation, found by its ID.
// Parameters:
//   $id: the observation ID
MATCH (o:Observation {id: $id})
RETURN o.seq AS seq, o.payload AS payload
