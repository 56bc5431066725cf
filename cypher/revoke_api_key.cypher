// Revokes the named API key; a key revoked before keeps its first revocation time.
// Parameters:
//   $name: the key's name
//   $revoked_at: fixed-width ISO UTC
// Returns: name, token_hash, scopes, last4, created_at, revoked_at (no row: no such key)
MATCH (k:ApiKey {name: $name})
SET k.revoked_at = coalesce(k.revoked_at, $revoked_at)
RETURN k.name AS name, k.token_hash AS token_hash, k.scopes AS scopes, k.last4 AS last4,
       k.created_at AS created_at, k.revoked_at AS revoked_at
