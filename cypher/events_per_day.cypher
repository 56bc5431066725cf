// Events by UTC day and type, with the revenue they carried (cents), for since <= occurred_at <
// until: a range seek on the event_time index.
// Parameters:
//   $since: fixed-width ISO UTC, inclusive
//   $until: fixed-width ISO UTC, exclusive
// Returns: day (YYYY-MM-DD), type, events, cents (a float: an integer sum fails past 64 bits)
MATCH (e:Event)
WHERE e.occurred_at >= $since AND e.occurred_at < $until
WITH substring(e.occurred_at, 0, 10) AS day, e.type AS type, count(e) AS events,
     sum(toFloat(coalesce(e.revenue_cents, 0))) AS cents
RETURN day, type, events, cents
ORDER BY day, type
