// Every merge whose survivor is one of the given profiles or one of their aliases (a profile
// absorbed later), in the order they were recorded (merge IDs: a batch's in the order the
// engine made them, batches in log order), not by observation time: the order a replay
// makes them in.
// Parameters:
//   $ids: list of current profile IDs, without repeats
// Returns: profile_id, absorbed, survivor, observation_id, at, reason
UNWIND $ids AS profile_id
OPTIONAL MATCH (alias:Alias)-[:OF]->(:Profile {id: profile_id})
WITH profile_id, [profile_id] + collect(alias.id) AS members
UNWIND members AS member
MATCH (m:Merge {survivor: member})
RETURN profile_id, m.absorbed AS absorbed, m.survivor AS survivor,
       m.observation_id AS observation_id, m.at AS at, m.reason AS reason
ORDER BY profile_id, m.id
