// Erasure: the review items a cannot-link constraint with an end among the erased
// identifiers held (those of others: the person's went before) name no constraint any more
// and get $reason, which names none either. Run before erase_cannot_links deletes them. No
// index serves a lookup by constraint_id, so this reads every review item once, as
// erase_review_items does.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
//   $reason: the reason such an item gives from now on
UNWIND $keys AS key
CALL (key) {
  MATCH (c:CannotLink {a: key})
  RETURN c.id AS id
  UNION
  MATCH (c:CannotLink {b: key})
  RETURN c.id AS id
}
WITH collect(DISTINCT id) AS gone
MATCH (r:ReviewItem)
WHERE r.constraint_id IN gone
SET r.constraint_id = null,
    r.reason = $reason
