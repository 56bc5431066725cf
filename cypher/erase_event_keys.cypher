// Erasure: deletes the :EventKey nodes of the erased identifier keys (the key is the person's
// identifier). Run after the events carrying them were deleted or rewritten, so none is left.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
UNWIND $keys AS key
MATCH (k:EventKey {key: key})
DETACH DELETE k
