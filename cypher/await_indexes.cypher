// Waits until every index (including those the schema statements just created) is online.
// Parameters:
//   $timeout_seconds: how long to wait before Neo4j gives up with an error
CALL db.awaitIndexes($timeout_seconds)
