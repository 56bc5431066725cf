// Erasure: the identifiers a rewritten record had quarantined stay quarantined, under a reason
// that no longer quotes what went with the erased person (their first name).
// Parameters:
//   $keys: list of identifier keys ("type:value"), without repeats
//   $reason: the new quarantine reason
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
WHERE i.quarantined = true
SET i.quarantine_reason = $reason
