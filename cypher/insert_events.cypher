// Stores events, each CARRIES an :EventKey per identifier key it names. The key nodes exist
// independently of :Identifier, so an event may arrive before its identifier is known and still
// join the journey once it is. A known event ID fails the whole transaction.
// Parameters:
//   $rows: list of {id, type, occurred_at, source, identifiers (JSON), properties (JSON),
//     received_at, keys (list of identifier keys)}
UNWIND $rows AS row
CREATE (e:Event {
  id: row.id, type: row.type, occurred_at: row.occurred_at, source: row.source,
  identifiers: row.identifiers, properties: row.properties, received_at: row.received_at
})
WITH e, row
UNWIND row.keys AS key
MERGE (k:EventKey {key: key})
MERGE (e)-[:CARRIES]->(k)
