// Reserves a block of IDs from a counter (rejection positions, review item, merge and
// cannot-link IDs). The counter node stays write-locked until the transaction ends, so blocks
// never overlap, and a rolled-back transaction gives its block back.
// Parameters:
//   $counter: the counter's meta key
//   $count: how many IDs to reserve
// Returns: last (the reserved IDs are last - count + 1 .. last)
MERGE (m:Meta {key: $counter})
ON CREATE SET m.value = 0
SET m.value = m.value + $count
RETURN m.value AS last
