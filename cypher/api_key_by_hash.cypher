// The API key whose token hashes to $token_hash, if any.
// Parameters:
//   $token_hash: hex SHA-256 of the token a request presented
// Returns: name, token_hash, scopes, last4, created_at, revoked_at
MATCH (k:ApiKey {token_hash: $token_hash})
RETURN k.name AS name, k.token_hash AS token_hash, k.scopes AS scopes, k.last4 AS last4,
       k.created_at AS created_at, k.revoked_at AS revoked_at
