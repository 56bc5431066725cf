// Redaction: replaces an event's properties, and with them its filterable properties
// (`prop_<name>`, as insert_events writes them: the node keeps its fixed properties and gets
// the given map) and its revenue in cents. Answers the key it is credited to, its type and the
// revenue it counted before, for the activity to move; no row when no such event is stored.
// Parameters:
//   $id: the event ID
//   $properties: the properties left (JSON)
//   $filterable: map of prop_<name> to value, of the properties left
//   $revenue_cents: integer cents of the revenue left, or null
MATCH (e:Event {id: $id})
WITH e, e.revenue_cents AS old_cents,
     e {.id, .type, .occurred_at, .source, .identifiers, .received_at, .credited_key} AS fixed
SET e = fixed
SET e += $filterable
SET e.properties = $properties,
    e.revenue_cents = $revenue_cents
RETURN e.credited_key AS credited_key, e.type AS type, old_cents
