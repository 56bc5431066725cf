// Index: cannot-link constraints by their first identifier key (side 0).
// Parameters: none
CREATE INDEX cannot_link_a IF NOT EXISTS
FOR (c:CannotLink) ON (c.a)
