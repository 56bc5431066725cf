// Index: cannot-link constraints by their second identifier key (side 1).
// Parameters: none
CREATE INDEX cannot_link_b IF NOT EXISTS
FOR (c:CannotLink) ON (c.b)
