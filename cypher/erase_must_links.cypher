// Erasure: deletes the must-link constraints with an end among the erased identifiers. Stewards
// make them one by one, so they are few and are read in one pass.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
MATCH (m:MustLink)
WHERE m.a IN $keys OR m.b IN $keys
DETACH DELETE m
