// One page of every stored event in ID order (an ordered range seek on the event_id
// constraint's index), for carrying the events to another store.
// Parameters:
//   $after: the last event ID of the previous page ('' for the first page)
//   $limit: at most this many events
// Returns: id, type, occurred_at, source, identifiers (JSON), properties (JSON)
MATCH (e:Event)
WHERE e.id > $after
RETURN e.id AS id, e.type AS type, e.occurred_at AS occurred_at, e.source AS source,
       e.identifiers AS identifiers, e.properties AS properties
ORDER BY id
LIMIT $limit
