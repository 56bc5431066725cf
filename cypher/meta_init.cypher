// Sets a :Meta value only if it is not set yet, and returns what is stored (the schema version
// check: a database written by another release of the schema answers with its own version).
// Parameters:
//   $key: the meta key
//   $value: the value to store when the key is new
// Returns: value (the stored value, old or new)
MERGE (m:Meta {key: $key})
ON CREATE SET m.value = $value
RETURN m.value AS value
