// Redaction: the properties (JSON text) of one stored event, found by its ID.
// Parameters:
//   $id: the event ID
MATCH (e:Event {id: $id})
RETURN e.properties AS properties
