// Index: events by time, for the events-per-day insight (a range seek).
// Parameters: none
CREATE INDEX event_time IF NOT EXISTS
FOR (e:Event) ON (e.occurred_at)
