// Erasure: deletes the merge records whose survivor or absorbed profile is the erased profile
// or one of its aliases. Run before erase_profile deletes the aliases. No index serves a lookup
// by absorbed, so this reads every merge record once, which an erasure (rare, and reading the
// whole observation log anyway) can afford.
// Parameters:
//   $profile_id: the erased profile's ID
OPTIONAL MATCH (alias:Alias)-[:OF]->(:Profile {id: $profile_id})
WITH [$profile_id] + collect(alias.id) AS names
MATCH (m:Merge)
WHERE m.survivor IN names OR m.absorbed IN names
DETACH DELETE m
