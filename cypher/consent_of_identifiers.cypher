// The consent in force of each identifier key, by purpose.
// Parameters:
//   $keys: list of identifier keys ("type:value")
// Returns: key, purpose, granted, stated_at, source
UNWIND $keys AS key
MATCH (c:Consent {key: key})
RETURN c.key AS key, c.purpose AS purpose, c.granted AS granted, c.stated_at AS stated_at,
       c.source AS source
ORDER BY key, purpose
