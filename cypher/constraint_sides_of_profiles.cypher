// Cannot-link sides of every identifier of the given profiles (side 0: the identifier is the
// constraint's `a`, side 1: its `b`), one index seek per identifier and side.
// Parameters:
//   $ids: list of profile IDs
// Returns: constraint_id, side, profile_id
UNWIND $ids AS profile_id
MATCH (:Profile {id: profile_id})<-[:IN]-(i:Identifier)
MATCH (c:CannotLink {a: i.key})
RETURN c.id AS constraint_id, 0 AS side, profile_id
UNION ALL
UNWIND $ids AS profile_id
MATCH (:Profile {id: profile_id})<-[:IN]-(i:Identifier)
MATCH (c:CannotLink {b: i.key})
RETURN c.id AS constraint_id, 1 AS side, profile_id
