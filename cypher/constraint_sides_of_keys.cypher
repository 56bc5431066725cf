// Cannot-link sides of the given identifier keys, whether the identifiers exist yet or not:
// side 0 when the key is the constraint's `a`, side 1 when it is its `b`.
// Parameters:
//   $keys: list of identifier keys
// Returns: constraint_id, side, key
UNWIND $keys AS key
MATCH (c:CannotLink {a: key})
RETURN c.id AS constraint_id, 0 AS side, key
UNION ALL
UNWIND $keys AS key
MATCH (c:CannotLink {b: key})
RETURN c.id AS constraint_id, 1 AS side, key
