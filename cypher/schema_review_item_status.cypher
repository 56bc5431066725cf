// Index: review items by status, for counting the open ones.
// Parameters: none
CREATE INDEX review_item_status IF NOT EXISTS
FOR (r:ReviewItem) ON (r.status)
