// Index: events by the identifier key they are credited to, type and time, so an event condition
// with a window or property filters seeks a profile's credited events of one type in a range.
// Parameters: none
CREATE INDEX event_credit IF NOT EXISTS
FOR (e:Event) ON (e.credited_key, e.type, e.occurred_at)
