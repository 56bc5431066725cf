// Removes one :Meta value (nothing happens when it is not set).
// Parameters:
//   $key: the meta key
MATCH (m:Meta {key: $key})
DELETE m
