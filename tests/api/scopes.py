"""Which keys may call what needs a scope, written out by hand (not read from the code under
test) for the REST and GraphQL access tests."""

from __future__ import annotations

HOLDERS: dict[str, frozenset[str]] = {
    "ingest": frozenset({"ingest", "admin"}),
    "read": frozenset({"read", "read:pii", "admin"}),
    "read:pii": frozenset({"read:pii", "admin"}),
    "steward": frozenset({"steward", "admin"}),
    "admin": frozenset({"admin"}),
}
"""The keys (by their one scope) that may call what needs a scope: `read:pii` allows all that
`read` allows, `admin` everything."""
