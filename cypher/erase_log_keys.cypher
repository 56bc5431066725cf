// Erasure: deletes the :LogKey nodes of the erased identifier keys from the log index, with the
// CARRIED relationships of the observations still in the log (rewritten without them); the
// observations erase_delete_observations deleted took theirs along.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
UNWIND $keys AS key
MATCH (k:LogKey {key: key})
DETACH DELETE k
