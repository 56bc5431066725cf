// Erasure report: one page of the events in ID order (an ordered range seek on the event_id
// constraint's index), read in the search for others' records that mention an erased value.
// Every event of the page comes back: the store keeps the candidates with the Python filter
// SQLite uses (domain/mentions.py, `filtered_candidates`), because Cypher's toLower may
// follow the server JVM's locale. The caller reads page after page, each a read of its own,
// bounded however many events there are, until a page comes back short.
// Parameters:
//   $after: string, the last event ID of the page before ("" for the first)
//   $rows: integer, how many events a page reads
// Returns: id, properties (JSON text)
MATCH (e:Event)
WHERE e.id > $after
RETURN e.id AS id, e.properties AS properties
ORDER BY id
LIMIT $rows
