// Rebuild: forgets up to $batch_size CARRIED relationships of the log index (an observation to
// the :LogKey of an identifier it carried), which the replay writes again with the keys the
// current identifier settings give. Run until it deletes nothing, before
// delete_log_index_keys_batch: one :LogKey (a kiosk's e-mail) can be carried by a million
// observations, more relationships than one transaction can delete in time.
// Parameters:
//   $batch_size: how many relationships one transaction deletes
// Returns: deleted
MATCH (:Observation)-[c:CARRIED]->(:LogKey)
WITH c
LIMIT $batch_size
DELETE c
RETURN count(*) AS deleted
