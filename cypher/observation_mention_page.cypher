// Erasure report: one page of the observation log in log order (an ordered range seek on the
// seq index), read in the search for others' records that mention an erased value. Every
// observation of the page comes back: the store keeps the candidates with the Python filter
// SQLite uses (domain/mentions.py, `filtered_candidates`), because Cypher's toLower may
// follow the server JVM's locale (in a Turkish one `I` lowers to a dotless i, U+0131, and a
// record would be missed). The caller reads page after page, each a read of its own, bounded
// however long the log grows, until a page comes back short.
// Parameters:
//   $after: integer, the last log position of the page before (0 for the first)
//   $rows: integer, how many observations a page reads
// Returns: seq, id, payload (the observation's wire JSON, exactly as received)
MATCH (o:Observation)
WHERE o.seq > $after
RETURN o.seq AS seq, o.id AS id, o.payload AS payload
ORDER BY seq
LIMIT $rows
