// Skeleton: the non-junk identifiers of one type of a segment's members, by profile ID then
// value; with a purpose, only identifiers whose consent in force for it is granted.
// `neo4j_segment_compiler` replaces the placeholder $condition with the compiled condition over
// `p` (fixed fragments, every client value a parameter $segN).
// Parameters:
//   $condition: placeholder for the compiled segment condition
//   $contact_type: the identifier type to export
//   $purpose: the consent purpose, or null for every identifier
// Returns: profile_id, type, value
MATCH (p:Profile)
WHERE NOT p.junk AND $condition
MATCH (p)<-[:IN]-(i:Identifier {type: $contact_type})
WHERE NOT i.junk
  AND ($purpose IS NULL OR EXISTS {
    MATCH (c:Consent {key: i.key, purpose: $purpose})
    WHERE c.granted
  })
RETURN p.id AS profile_id, i.type AS type, i.value AS value
ORDER BY profile_id, value
