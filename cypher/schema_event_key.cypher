// Constraint: one :EventKey per identifier key. Events hang off these, not off :Identifier, so an
// event whose identifier is not known yet joins the journey once the identifier arrives.
// Parameters: none
CREATE CONSTRAINT event_key IF NOT EXISTS
FOR (k:EventKey) REQUIRE k.key IS UNIQUE
