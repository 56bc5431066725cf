// Erasure: deletes the erased profile, its activity sums (act_* properties) with it, and its
// aliases, so neither its ID nor an absorbed one resolves any more.
// Parameters:
//   $profile_id: the erased profile's ID
MATCH (p:Profile {id: $profile_id})
CALL (p) {
  MATCH (alias:Alias)-[:OF]->(p)
  DETACH DELETE alias
}
DETACH DELETE p
