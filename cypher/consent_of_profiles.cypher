// The consent in force of every identifier of each profile (current IDs, not aliases).
// Parameters:
//   $ids: list of profile IDs
// Returns: profile_id, key, purpose, granted, stated_at, source
UNWIND $ids AS id
MATCH (:Profile {id: id})<-[:IN]-(i:Identifier)
MATCH (c:Consent {key: i.key})
RETURN id AS profile_id, c.key AS key, c.purpose AS purpose, c.granted AS granted,
       c.stated_at AS stated_at, c.source AS source
ORDER BY profile_id, key, purpose
