// Index: audit entries by time, for the newest-first pages of the audit log.
// Parameters: none
CREATE INDEX audit_entry_at IF NOT EXISTS
FOR (a:AuditEntry) ON (a.at)
