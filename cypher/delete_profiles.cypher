// Merges, step 4: absorbed profiles go (their identifiers and aliases have moved already).
// Parameters:
//   $ids: list of absorbed profile IDs
UNWIND $ids AS id
MATCH (p:Profile {id: id})
DETACH DELETE p
