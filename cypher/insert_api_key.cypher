// Stores a new API key (its token's hash, never the token); a taken name fails the constraint.
// Parameters:
//   $name: the key's unique name
//   $token_hash: hex SHA-256 of the token
//   $scopes: JSON list of scopes
//   $last4: the token's last four characters, for display
//   $created_at: fixed-width ISO UTC
//   $revoked_at: fixed-width ISO UTC, or null for a key in use (a migrated key may be revoked)
CREATE (:ApiKey {
  name: $name, token_hash: $token_hash, scopes: $scopes, last4: $last4, created_at: $created_at,
  revoked_at: $revoked_at
})
