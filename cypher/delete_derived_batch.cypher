// Rebuild: forgets up to $batch_size nodes derived from the observation log (identifiers with
// their evidence, profiles, aliases, review items, merge records). Run until it deletes nothing;
// observations, events, rejections and cannot-link constraints stay.
// Parameters:
//   $batch_size: how many nodes one transaction deletes
// Returns: deleted
MATCH (n:Identifier|Profile|Alias|ReviewItem|Merge)
WITH n
LIMIT $batch_size
DETACH DELETE n
RETURN count(*) AS deleted
