// The current profile of each given ID that is a profile, or an alias OF one.
// Parameters:
//   $ids: list of profile IDs or aliases
// Returns: id, profile_id
UNWIND $ids AS id
OPTIONAL MATCH (p:Profile {id: id})
OPTIONAL MATCH (:Alias {id: id})-[:OF]->(target:Profile)
WITH id, coalesce(p.id, target.id) AS profile_id
WHERE profile_id IS NOT NULL
RETURN id, profile_id
