// Erasure: deletes every kept consent statement of the erased identifier keys.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
// Returns: removed
UNWIND $keys AS key
MATCH (s:ConsentStatement {key: key})
DETACH DELETE s
RETURN count(*) AS removed
