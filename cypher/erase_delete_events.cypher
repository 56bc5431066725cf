// Erasure: deletes events credited to an erased identifier, with their CARRIES relationships.
// Their credit (the event's own credited_key) goes with them; the :KeyActivity sums of the
// erased keys go in erase_key_activity.
// Parameters:
//   $ids: list of event IDs
UNWIND $ids AS id
MATCH (e:Event {id: id})
DETACH DELETE e
