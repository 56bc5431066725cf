// The profile of each given identifier key that exists (one index seek and one hop each).
// Parameters:
//   $keys: list of identifier keys ("type:value")
// Returns: key, profile_id
UNWIND $keys AS key
MATCH (i:Identifier {key: key})-[:IN]->(p:Profile)
RETURN i.key AS key, p.id AS profile_id
