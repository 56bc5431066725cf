// Erasure: deletes the per-type activity sums of the erased identifier keys. The erased
// profile's own sums (its act_* properties) go with its :Profile node in erase_profile.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
UNWIND $keys AS key
MATCH (a:KeyActivity {key: key})
DETACH DELETE a
