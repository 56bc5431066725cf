// Every API key, revoked ones included, by name.
// Parameters: none
// Returns: name, token_hash, scopes, last4, created_at, revoked_at
MATCH (k:ApiKey)
RETURN k.name AS name, k.token_hash AS token_hash, k.scopes AS scopes, k.last4 AS last4,
       k.created_at AS created_at, k.revoked_at AS revoked_at
ORDER BY name
