// Adds a batch's events to the activity of the identifier keys they are credited to: one
// :KeyActivity per key and event type, summing events, revenue (cents) and first/last times.
// It belongs to the key, not to a profile, so merges, splits and rebuilds never rewrite it.
// Cypher's integer addition fails past 64 bits: a sum that would pass them goes on as a float
// (exact to 2^53 cents), as SQLite's does.
// Parameters:
//   $rows: list of {key, type, events, revenue_cents, first_at, last_at}, one per key and type
UNWIND $rows AS row
MERGE (a:KeyActivity {key: row.key, type: row.type})
ON CREATE SET
  a.events = row.events,
  a.revenue_cents = row.revenue_cents,
  a.first_at = row.first_at,
  a.last_at = row.last_at
ON MATCH SET
  a.events = a.events + row.events,
  a.revenue_cents = CASE
    WHEN abs(toFloat(a.revenue_cents) + toFloat(row.revenue_cents)) < 9.0e18
    THEN a.revenue_cents + row.revenue_cents
    ELSE toFloat(a.revenue_cents) + toFloat(row.revenue_cents)
  END,
  a.first_at = CASE WHEN row.first_at < a.first_at THEN row.first_at ELSE a.first_at END,
  a.last_at = CASE WHEN row.last_at > a.last_at THEN row.last_at ELSE a.last_at END
