// Constraint: one review item per ID; the ordered index that pages the review queue.
// Parameters: none
CREATE CONSTRAINT review_item_id IF NOT EXISTS
FOR (r:ReviewItem) REQUIRE r.id IS UNIQUE
