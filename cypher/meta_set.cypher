// Sets one :Meta value, creating the node the first time.
// Parameters:
//   $key: the meta key
//   $value: the value to store
MERGE (m:Meta {key: $key})
SET m.value = $value
