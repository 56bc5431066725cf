// Erasure report: one page of the observation log, from the position after $after, with those
// of its observations whose wire JSON holds one of the search terms: a superset of those whose
// attributes mention an erased value (domain/mentions.py applies the rule to what this returns).
// The terms are the lower-cased values and every JSON escape that could stand for one of their
// characters, since the log keeps a record's text as sent. The caller reads page after page
// (each a read of its own, bounded however long the log grows) until `last` is null. CONTAINS
// is literal: no character of a term is a wildcard.
// Parameters:
//   $after: integer, the last log position of the page before (0 for the first)
//   $rows: integer, how many observations a page reads
//   $terms: list of lower-case strings (mentions.search_terms)
// Returns: one row: last (the page's last log position, null past the end), found (a list of
//   {seq, id, payload} maps, the page's candidates)
MATCH (o:Observation)
WHERE o.seq > $after
WITH o
ORDER BY o.seq
LIMIT $rows
WITH collect(o) AS page, max(o.seq) AS last
RETURN last,
       [o IN page
        WHERE any(term IN $terms WHERE toLower(o.payload) CONTAINS term)
        | {seq: o.seq, id: o.id, payload: o.payload}] AS found
