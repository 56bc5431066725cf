// Redaction: moves the revenue an event's identifier key and type sum by the difference its
// redacted properties make. Past 64 bits the sum goes on as a float, as upsert_key_activity's.
// Parameters:
//   $key: the identifier key the event is credited to
//   $type: the event type
//   $delta: integer cents to add (negative: revenue taken out)
MATCH (a:KeyActivity {key: $key, type: $type})
SET a.revenue_cents = CASE
  WHEN abs(toFloat(a.revenue_cents) + toFloat($delta)) < 9.0e18
  THEN a.revenue_cents + $delta
  ELSE toFloat(a.revenue_cents) + toFloat($delta)
END
