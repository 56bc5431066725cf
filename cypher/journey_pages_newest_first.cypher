// journey_pages reversed: the same page of the journey of each given profile, newest first,
// ties broken by event ID descending (the reverse of journey_pages' order, so the two orders
// list the same events). Time windows are half-open [since, until); the cursor is the
// (occurred_at, id) of the last event already seen, and the page holds the events before it.
// A profile without events (or no profile at all) gets an empty list.
// Each identifier contributes at most a page (its own ORDER BY ... LIMIT $limit, a bounded
// Top, not a sort of its every event); the page is the first $limit of the DISTINCT union
// of those pages: an event on it has fewer than $limit distinct matching events before it,
// so fewer in each of its identifiers, and is on each one's page. Every event of each
// identifier is still read: no index gives one key's events in time order (see README,
// The graph model).
// Parameters:
//   $profile_ids: list of current profile IDs, without repeats
//   $since: fixed-width ISO UTC or null
//   $until: fixed-width ISO UTC or null
//   $types: list of event types, or null for every type
//   $after_at: occurred_at of the cursor, or null for the first page
//   $after_id: event ID of the cursor, or null
//   $limit: at most this many events per profile (one more than the page size, to know
//     whether another page follows)
// Returns: profile_id, events (list of {id, type, occurred_at, source, identifiers (JSON),
//   properties (JSON)}, newest first)
UNWIND $profile_ids AS profile_id
CALL (profile_id) {
  MATCH (:Profile {id: profile_id})<-[:IN]-(i:Identifier)
  CALL (i) {
    MATCH (:EventKey {key: i.key})<-[:CARRIES]-(e:Event)
    WHERE ($since IS NULL OR e.occurred_at >= $since)
      AND ($until IS NULL OR e.occurred_at < $until)
      AND ($types IS NULL OR e.type IN $types)
      AND ($after_at IS NULL
           OR e.occurred_at < $after_at
           OR (e.occurred_at = $after_at AND e.id < $after_id))
    RETURN e
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT $limit
  }
  WITH DISTINCT e
  ORDER BY e.occurred_at DESC, e.id DESC
  LIMIT $limit
  RETURN collect(e {.id, .type, .occurred_at, .source, .identifiers, .properties}) AS events
}
RETURN profile_id, events
