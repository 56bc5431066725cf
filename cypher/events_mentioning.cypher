// Erasure report: one page of the events by ID, from the ID after $after, with those of its
// events whose properties (JSON text) hold one of the search terms: a superset of those with a
// property mentioning an erased value (domain/mentions.py applies the rule to what this
// returns). The caller reads page after page (each a read of its own, bounded however many
// events there are) until `last` is null. CONTAINS is literal: no character of a term is a
// wildcard.
// Parameters:
//   $after: string, the last event ID of the page before ("" for the first)
//   $rows: integer, how many events a page reads
//   $terms: list of lower-case strings (mentions.search_terms)
// Returns: one row: last (the page's last event ID, null past the end), found (a list of
//   {id, properties} maps, the page's candidates)
MATCH (e:Event)
WHERE e.id > $after
WITH e
ORDER BY e.id
LIMIT $rows
WITH collect(e) AS page, max(e.id) AS last
RETURN last,
       [e IN page
        WHERE any(term IN $terms WHERE toLower(e.properties) CONTAINS term)
        | {id: e.id, properties: e.properties}] AS found
