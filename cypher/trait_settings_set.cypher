// Replaces the trait settings. Set with $recounted false before every profile is recounted and
// true after, so a recount cut short is finished by the next configure_traits.
// Parameters:
//   $order_types: list of event types that are orders
//   $score_types: list of event types with a score
//   $score_milli: their scores in thousandths, in the order of $score_types
//   $default_milli: the score of any other event type, in thousandths
//   $recounted: whether every profile has been recounted with these settings
MERGE (s:TraitSettings {name: 'current'})
SET s.order_types = $order_types,
    s.score_types = $score_types,
    s.score_milli = $score_milli,
    s.default_milli = $default_milli,
    s.recounted = $recounted
