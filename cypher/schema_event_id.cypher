// Constraint: an event ID is stored once; a second one fails the whole changeset.
// Parameters: none
CREATE CONSTRAINT event_id IF NOT EXISTS
FOR (e:Event) REQUIRE e.id IS UNIQUE
