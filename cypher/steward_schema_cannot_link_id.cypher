// Index: cannot-link constraints by ID, so an undo deletes the ones its decision made.
// Parameters: none
CREATE INDEX cannot_link_id IF NOT EXISTS
FOR (c:CannotLink) ON (c.id)
