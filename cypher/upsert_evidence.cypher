// Adds evidence to the one EVIDENCE relationship per (a, b, source), a < b: counts add up, first
// and last seen widen, kind and status follow the engine, a score is kept unless a new one comes.
// A pair that a steward cut (any source's relationship with status 'cut') stays cut. Returns how
// many rows found both identifiers, so the caller can refuse evidence about unknown ones.
// Parameters:
//   $rows: list of {a, b, source, count, first_seen, last_seen, kind, status, score}
// Returns: written
UNWIND $rows AS row
MATCH (a:Identifier {key: row.a})
MATCH (b:Identifier {key: row.b})
MERGE (a)-[e:EVIDENCE {source: row.source}]->(b)
ON CREATE SET
  e.count = row.count,
  e.first_seen = row.first_seen,
  e.last_seen = row.last_seen,
  e.kind = row.kind,
  e.score = row.score,
  e.status = CASE
    WHEN EXISTS { (a)-[cut:EVIDENCE]->(b) WHERE cut.status = 'cut' } THEN 'cut'
    ELSE row.status
  END
ON MATCH SET
  e.count = e.count + row.count,
  e.first_seen = CASE WHEN row.first_seen < e.first_seen THEN row.first_seen ELSE e.first_seen END,
  e.last_seen = CASE WHEN row.last_seen > e.last_seen THEN row.last_seen ELSE e.last_seen END,
  e.kind = row.kind,
  e.score = coalesce(row.score, e.score),
  e.status = CASE
    WHEN EXISTS { (a)-[cut:EVIDENCE]->(b) WHERE cut.status = 'cut' } THEN 'cut'
    ELSE row.status
  END
RETURN count(*) AS written
