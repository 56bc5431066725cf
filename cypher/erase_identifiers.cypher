// Erasure: deletes the erased identifiers, with their guard state (held on the node) and what
// still links them (IN their profile; their evidence went in erase_evidence); returns how many.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
// Returns: removed
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
DETACH DELETE i
RETURN count(*) AS removed
