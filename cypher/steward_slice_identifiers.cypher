// Steward slice, step 2: the identifiers IN the given profiles.
// Parameters:
//   $ids: list of current profile IDs
// Returns: key, profile_id, first_seen, junk
UNWIND $ids AS id
MATCH (:Profile {id: id})<-[:IN]-(i:Identifier)
RETURN i.key AS key, id AS profile_id, i.first_seen AS first_seen, i.junk AS junk
