// Updates the consent in force per identifier key and purpose with the deciding statement of a
// batch (at most one row per key and purpose): a later statement wins; among equally late ones
// a withdrawal; among those of the same moment and status, the source first in code-point order
// (the rule of domain/consent.py). Sources are compared by `source_key` (their UTF-32 code
// points in hex: code-point order whatever order the server gives text); a node stored before
// it had one is compared by its source. Times are fixed-width ISO UTC strings, so string order
// is time order. The node is write-locked (a property set and removed again) before the
// comparison reads it: Neo4j reads committed data without a lock, so two transactions (a REST
// consent call runs outside the writer lock, beside a batch's commit) could both compare with the
// same old statement and the later commit put back the older one (a lost update).
// Parameters:
//   $rows: list of {key, purpose, granted (bool), stated_at, source, source_key}
UNWIND $rows AS row
MERGE (c:Consent {key: row.key, purpose: row.purpose})
ON CREATE SET c.granted = row.granted, c.stated_at = row.stated_at, c.source = row.source,
              c.source_key = row.source_key
SET c._LOCK_ = true
REMOVE c._LOCK_
WITH c, row
WHERE row.stated_at > c.stated_at
   OR (row.stated_at = c.stated_at AND c.granted AND NOT row.granted)
   OR (row.stated_at = c.stated_at AND c.granted = row.granted
       AND CASE WHEN c.source_key IS NULL THEN row.source < c.source
                ELSE row.source_key < c.source_key END)
SET c.granted = row.granted, c.stated_at = row.stated_at, c.source = row.source,
    c.source_key = row.source_key
