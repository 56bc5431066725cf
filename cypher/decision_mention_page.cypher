// Erasure report: one page of the steward decision log in the order made (an ordered range
// seek on the steward_decision_seq index), read in the search for decisions whose snapshots
// of others' profiles (golden attributes and their candidates) mention an erased value. Every
// decision of the page comes back: the store reads each body's snapshots and keeps the
// candidates with the Python filter SQLite uses (domain/mentions.py, `filtered_candidates`),
// because Cypher's toLower may follow the server JVM's locale. The caller reads page after
// page, each a read of its own, bounded however long the decision log grows, until a page
// comes back short.
// Parameters:
//   $after: integer, the last decision position of the page before (0 for the first)
//   $rows: integer, how many decisions a page reads
// Returns: seq, id, kind, body (the decision as JSON text), undone_by
MATCH (d:StewardDecision)
WHERE d.seq > $after
RETURN d.seq AS seq, d.id AS id, d.kind AS kind, d.body AS body, d.undone_by AS undone_by
ORDER BY seq
LIMIT $rows
