// Constraint: one :Profile per ID; also the ordered index that pages profiles in ID order.
// Parameters: none
CREATE CONSTRAINT profile_id IF NOT EXISTS
FOR (p:Profile) REQUIRE p.id IS UNIQUE
