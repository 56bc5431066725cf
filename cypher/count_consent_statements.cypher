// How many consent statements are kept (every one `consent_statements_page` pages through, not
// only the ones in force): a node count, which Neo4j answers from its count store.
// Parameters: none
// Returns: statements
MATCH (s:ConsentStatement)
RETURN count(s) AS statements
