// Every consent statement kept for each identifier key, every purpose: a rebuild under changed
// key rules decides again the consent in force of the keys it moved statements to.
// Parameters:
//   $keys: list of identifier keys ("type:value")
// Returns: key, purpose, granted, stated_at, source
UNWIND $keys AS key
MATCH (s:ConsentStatement {key: key})
RETURN s.key AS key, s.purpose AS purpose, s.granted AS granted, s.stated_at AS stated_at,
       s.source AS source
