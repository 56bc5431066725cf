// Creates the :TraitSettings node (what the activity aggregates fold in) with the defaults when
// the database has none; an existing one is left as it is.
// Parameters:
//   $order_types: list of event types that are orders
//   $score_types: list of event types with a score
//   $score_milli: their scores in thousandths, in the order of $score_types
//   $default_milli: the score of any other event type, in thousandths
MERGE (s:TraitSettings {name: 'current'})
ON CREATE SET
  s.order_types = $order_types,
  s.score_types = $score_types,
  s.score_milli = $score_milli,
  s.default_milli = $default_milli,
  s.recounted = true
