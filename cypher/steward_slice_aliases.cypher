// Steward slice, step 3: the aliases that resolve to the given profiles.
// Parameters:
//   $ids: list of current profile IDs
// Returns: alias, profile_id
UNWIND $ids AS id
MATCH (:Profile {id: id})<-[:OF]-(a:Alias)
RETURN a.id AS alias, id AS profile_id
