// Index: consent statements by identifier key, so a page of consent_statements_page is a range
// seek from the last key seen rather than a scan of every statement.
// Parameters: none
CREATE INDEX consent_statement_key IF NOT EXISTS
FOR (s:ConsentStatement) ON (s.key)
