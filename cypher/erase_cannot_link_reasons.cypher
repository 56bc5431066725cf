// Erasure: the cannot-links made by steward decisions whose reason quoted one of the erased
// person's identifiers get the reason a replay of the redacted decision writes (the prefix
// naming the decision, `split dec_…: `, kept: a merge-back finds its split's by it). Run after
// erase_cannot_links deleted the person's own. The cannot_link_id index serves the lookup.
// Parameters:
//   $rows: list of {id, reason}: a constraint ID and its new reason
// Returns: replaced
UNWIND $rows AS row
MATCH (c:CannotLink {id: row.id})
SET c.reason = row.reason
RETURN count(*) AS replaced
