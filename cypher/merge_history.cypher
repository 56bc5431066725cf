// Every merge whose survivor is one of the given profiles or one of their aliases (a profile
// absorbed later), oldest first; merges at the same time in log order (a decision's first, as
// on the embedded store, where a missing position sorts first), then in the order recorded.
// Parameters:
//   $ids: list of current profile IDs, without repeats
// Returns: profile_id, absorbed, survivor, observation_id, at, reason
UNWIND $ids AS profile_id
OPTIONAL MATCH (alias:Alias)-[:OF]->(:Profile {id: profile_id})
WITH profile_id, [profile_id] + collect(alias.id) AS members
UNWIND members AS member
MATCH (m:Merge {survivor: member})
OPTIONAL MATCH (o:Observation {id: m.observation_id})
RETURN profile_id, m.absorbed AS absorbed, m.survivor AS survivor,
       m.observation_id AS observation_id, m.at AS at, m.reason AS reason
ORDER BY profile_id, m.at, coalesce(o.seq, -1), m.id
