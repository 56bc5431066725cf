// Constraint: one node per profile ID that audit entries name; backs the by-profile filter.
// Parameters: none
CREATE CONSTRAINT audit_profile_id IF NOT EXISTS
FOR (p:AuditProfile) REQUIRE p.id IS UNIQUE
