// Erasure report: the logged observations whose wire JSON holds one of the search terms, a
// superset of those whose attributes mention an erased value (domain/mentions.py applies the
// rule to what this returns). A scan of every observation, run once after an erasure, which is
// rare; a read, beside the writers. CONTAINS is literal: no character of a term is a wildcard.
// Parameters:
//   $terms: list of lower-case strings (mentions.search_terms)
// Returns: id, payload, in log order
MATCH (o:Observation)
WITH o, toLower(o.payload) AS text
WHERE any(term IN $terms WHERE text CONTAINS term)
RETURN o.id AS id, o.payload AS payload
ORDER BY o.seq
