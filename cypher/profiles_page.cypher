// One page of golden profiles in ID order (an ordered range seek on the profile ID index), each
// with its identifiers and aliases.
// Parameters:
//   $after: the page starts after this profile ID ("" for the first page)
//   $limit: at most this many profiles
// Returns: the columns of get_profiles, ordered by id
MATCH (p:Profile)
WHERE p.id > $after
WITH p
ORDER BY p.id
LIMIT $limit
RETURN p.id AS id, p.attributes AS attributes, p.size AS size,
       p.created_at AS created_at, p.updated_at AS updated_at, p.junk AS junk,
       [(p)<-[:IN]-(i:Identifier) | i {.type, .value, .junk, .first_seen, .quarantined}]
         AS identifiers,
       [(p)<-[:OF]-(a:Alias) | a.id] AS aliases
ORDER BY id
