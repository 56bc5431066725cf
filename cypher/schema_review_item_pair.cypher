// Index: review items by identifier pair, so opening an item finds the open one of its pair.
// Parameters: none
CREATE INDEX review_item_pair IF NOT EXISTS
FOR (r:ReviewItem) ON (r.a, r.b)
