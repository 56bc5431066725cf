// Erasure report: the events whose properties (JSON text) hold one of the search terms, a
// superset of those with a property mentioning an erased value (domain/mentions.py applies the
// rule to what this returns). A scan of every event, run once after an erasure, which is rare;
// a read, beside the writers. CONTAINS is literal: no character of a term is a wildcard.
// Parameters:
//   $terms: list of lower-case strings (mentions.search_terms)
// Returns: id, properties, by event ID
MATCH (e:Event)
WITH e, toLower(e.properties) AS text
WHERE any(term IN $terms WHERE text CONTAINS term)
RETURN e.id AS id, e.properties AS properties
ORDER BY e.id
