// Updates the consent in force per identifier key and purpose with the deciding statement of a
// batch (at most one row per key and purpose): a later statement wins; among equally late ones
// a withdrawal; among those of the same moment and status, the source first in code-point order
// (the rule of domain/consent.py). Times are fixed-width ISO UTC strings, so string order is
// time order.
// Parameters:
//   $rows: list of {key, purpose, granted (bool), stated_at, source}
UNWIND $rows AS row
MERGE (c:Consent {key: row.key, purpose: row.purpose})
ON CREATE SET c.granted = row.granted, c.stated_at = row.stated_at, c.source = row.source
WITH c, row
WHERE row.stated_at > c.stated_at
   OR (row.stated_at = c.stated_at AND c.granted AND NOT row.granted)
   OR (row.stated_at = c.stated_at AND c.granted = row.granted AND row.source < c.source)
SET c.granted = row.granted, c.stated_at = row.stated_at, c.source = row.source
