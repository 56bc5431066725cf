// The trait settings the stored activity aggregates fold in, and whether every profile has been
// recounted with them.
// Parameters: none
// Returns: order_types, score_types, score_milli, default_milli, recounted
MATCH (s:TraitSettings {name: 'current'})
RETURN s.order_types AS order_types, s.score_types AS score_types,
       s.score_milli AS score_milli, s.default_milli AS default_milli,
       s.recounted AS recounted
