// Every cannot-link constraint, in ID order (stewards make them, so they are few).
// Parameters: none
// Returns: id, a, b, reason, created_at
MATCH (c:CannotLink)
RETURN c.id AS id, c.a AS a, c.b AS b, c.reason AS reason, c.created_at AS created_at
ORDER BY id
