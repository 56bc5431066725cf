// Erasure: the must-links made by steward decisions whose reason quoted one of the erased
// person's identifiers get the replacement reason whole (a must-link's reason is its
// decision's, as a replay of the redacted decision writes it). Run after erase_must_links
// deleted the person's own. The must_link_id index serves the lookup.
// Parameters:
//   $ids: list of must-link IDs
//   $reason: the replacement reason
// Returns: replaced
UNWIND $ids AS id
MATCH (m:MustLink {id: id})
SET m.reason = $reason
RETURN count(*) AS replaced
