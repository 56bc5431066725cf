// Rebuild, first: forgets up to $batch_size relationships between nodes derived from the
// observation log (evidence between identifiers, identifiers in profiles, aliases of
// profiles). Run until it deletes nothing, before delete_derived_batch: deleting a node takes
// its relationships along in the same transaction, and one identifier (a kiosk, a shared
// device) can hold a million evidence links, more than one transaction can delete in time.
// Parameters:
//   $batch_size: how many relationships one transaction deletes
// Returns: deleted
MATCH ()-[r:EVIDENCE|IN|OF]->()
WITH r
LIMIT $batch_size
DELETE r
RETURN count(*) AS deleted
