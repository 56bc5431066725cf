// Erasure: the review items closed by steward decisions whose reason quoted one of the erased
// person's identifiers get, for each resolution text given, the one a replay of the redacted
// decision writes (`merged by decision dec_…: …` keeps the decision's ID). Only accepted and
// rejected items have a resolution: the review_item_status index finds those, and no index
// serves a lookup by resolution, so each is read once (an erasure is rare).
// Parameters:
//   $rows: list of {text, reason}: a resolution as written and its replacement, texts unique
// Returns: replaced
MATCH (r:ReviewItem)
WHERE r.status IN ['accepted', 'rejected'] AND r.resolution IN [row IN $rows | row.text]
WITH r, [row IN $rows WHERE row.text = r.resolution][0] AS row
SET r.resolution = row.reason
RETURN count(*) AS replaced
