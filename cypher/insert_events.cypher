// Stores events, each CARRIES an :EventKey per identifier key it names. The key nodes exist
// independently of :Identifier, so an event may arrive before its identifier is known and still
// join the journey once it is. Each event also keeps the key it is credited to (the identifier
// it names first), its revenue in integer cents (null unless numeric) and its properties as
// filterable properties `prop_<name>`, for segment conditions on events. A known event ID fails
// the whole transaction.
// Parameters:
//   $rows: list of {id, type, occurred_at, source, identifiers (JSON), properties (JSON),
//     received_at, keys (list of identifier keys), credited_key, revenue_cents (or null),
//     filterable (map of prop_<name> to value)}
UNWIND $rows AS row
CREATE (e:Event)
SET e = row.filterable
SET e.id = row.id,
    e.type = row.type,
    e.occurred_at = row.occurred_at,
    e.source = row.source,
    e.identifiers = row.identifiers,
    e.properties = row.properties,
    e.received_at = row.received_at,
    e.credited_key = row.credited_key,
    e.revenue_cents = row.revenue_cents
WITH e, row
UNWIND row.keys AS key
MERGE (k:EventKey {key: key})
MERGE (e)-[:CARRIES]->(k)
