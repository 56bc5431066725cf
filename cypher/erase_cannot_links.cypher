// Erasure: deletes the cannot-link constraints with an end among the erased identifiers,
// found through the cannot_link_a and cannot_link_b indexes.
// Parameters:
//   $keys: list of erased identifier keys ("type:value")
UNWIND $keys AS key
CALL (key) {
  MATCH (c:CannotLink {a: key})
  RETURN c
  UNION
  MATCH (c:CannotLink {b: key})
  RETURN c
}
WITH DISTINCT c
DETACH DELETE c
