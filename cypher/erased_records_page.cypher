// One page of remembered erased records in fingerprint order (an ordered range seek on the
// erased_record_fingerprint constraint's index), for datora migrate.
// Parameters:
//   $after: the last fingerprint of the previous page ('' for the first page)
//   $limit: at most this many records
// Returns: fingerprint, kind, erased_at, audit_id
MATCH (r:ErasedRecord)
WHERE r.fingerprint > $after
RETURN r.fingerprint AS fingerprint, r.kind AS kind, r.erased_at AS erased_at,
       r.audit_id AS audit_id
ORDER BY fingerprint
LIMIT $limit
