// Golden profiles by current ID, each with its identifiers and aliases, in one round trip.
// Parameters:
//   $ids: list of profile IDs (an alias finds nothing here)
// Returns: id, attributes (JSON), size, created_at, updated_at, junk,
//   identifiers (list of {type, value, junk, first_seen, quarantined}), aliases (list of IDs)
UNWIND $ids AS id
MATCH (p:Profile {id: id})
RETURN p.id AS id, p.attributes AS attributes, p.size AS size,
       p.created_at AS created_at, p.updated_at AS updated_at, p.junk AS junk,
       [(p)<-[:IN]-(i:Identifier) | i {.type, .value, .junk, .first_seen, .quarantined}] AS identifiers,
       [(p)<-[:OF]-(a:Alias) | a.id] AS aliases
