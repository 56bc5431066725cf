// Reads one :Meta value (for example the rebuild marker); no row when the key is not set.
// Parameters:
//   $key: the meta key
// Returns: value
MATCH (m:Meta {key: $key})
RETURN m.value AS value
