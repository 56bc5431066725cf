"""API keys and their scopes: who may call what.

A key is a random token shown once, at creation; the store keeps only its SHA-256 hash, its
name, scopes and the token's last four characters (to tell keys apart in a list).

    issued = issue_key("crm-sync", {"ingest"})
    issued.token           # "dtr_…": give it to the client now, it cannot be shown again
    issued.key.allows("read")  # False
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from datora_graph.domain.errors import InvalidInput

SCOPES = ("ingest", "read", "read:pii", "steward", "admin")
"""`admin` implies every other scope; `read:pii` implies `read` and adds identifier values and
profile attributes (hidden from other keys: see `domain/pii.py`) and segment exports."""

_IMPLIED = {"admin": frozenset(SCOPES), "read:pii": frozenset({"read"})}


def grants(held: frozenset[str], needed: str) -> bool:
    """Whether holding the scopes `held` allows a call that needs `needed`."""
    return needed in held or any(needed in _IMPLIED.get(scope, ()) for scope in held)


TOKEN_PREFIX = "dtr_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True, slots=True)
class ApiKey:
    name: str
    scopes: frozenset[str]
    token_hash: str
    last4: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        """Whether a call that needs `scope` may run with this key (revocation aside)."""
        return grants(self.scopes, scope)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created, with the only copy of its token."""

    key: ApiKey
    token: str


def hash_token(token: str) -> str:
    """The stored form of a token: hex SHA-256.

    A slow password hash (bcrypt, argon2) protects low-entropy secrets people choose. These
    tokens are 256 random bits from `secrets`, so no dictionary or brute-force search can find
    one from its hash, and a fast hash lets every request look its key up by an index instead
    of trying each stored key in turn."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """The scopes as a set; InvalidInput naming an unknown one, or when none is given."""
    chosen = frozenset(s.strip() for s in scopes)
    unknown = sorted(chosen - set(SCOPES))
    if unknown:
        raise InvalidInput("scope", f"unknown scope {unknown[0]!r}; known: {', '.join(SCOPES)}")
    if not chosen:
        raise InvalidInput("scope", f"give at least one of {', '.join(SCOPES)}")
    return chosen


def check_key_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "name",
            "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return name


def issue_key(name: str, scopes: Iterable[str], now: datetime | None = None) -> IssuedKey:
    """A new key with a fresh token; the caller stores `key` and hands `token` over once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=check_key_name(name),
        scopes=parse_scopes(scopes),
        token_hash=hash_token(token),
        last4=token[-4:],
        created_at=(now or datetime.now(UTC)).astimezone(UTC),
    )
    return IssuedKey(key, token)
