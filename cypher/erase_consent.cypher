// Erasure: deletes the consent in force of the erased identifier keys, every purpose.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
UNWIND $keys AS key
MATCH (c:Consent {key: key})
DETACH DELETE c
