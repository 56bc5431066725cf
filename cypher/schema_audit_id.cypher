// Constraint: one audit entry per ID, so appending an entry twice keeps one.
// Parameters: none
CREATE CONSTRAINT audit_entry_id IF NOT EXISTS
FOR (a:AuditEntry) REQUIRE a.id IS UNIQUE
