// Index: must-link constraints by ID, so an undo deletes the ones its decision made.
// Parameters: none
CREATE INDEX must_link_id IF NOT EXISTS
FOR (m:MustLink) ON (m.id)
