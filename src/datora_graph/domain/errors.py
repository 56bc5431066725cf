"""Every error Datora Graph raises on purpose.

One base class and a subclass per kind, so the API maps each kind to an HTTP status and a
GraphQL error code in exactly one place (`api/errors.py`).
"""

from __future__ import annotations


class DatoraError(Exception):
    """Base of every deliberate Datora Graph error; `code` is the stable, machine-readable kind."""

    code = "INTERNAL"


class InvalidInput(DatoraError):
    """A client sent something that cannot be accepted; `field` names the offending part."""

    code = "INVALID_INPUT"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


class NotFound(DatoraError):
    code = "NOT_FOUND"


class LimitExceeded(DatoraError):
    """A request is larger than a configured bound (batch size, body size, page size)."""

    code = "LIMIT_EXCEEDED"


class Forbidden(DatoraError):
    code = "FORBIDDEN"


class Unauthenticated(DatoraError):
    """A call came without an API key, or with one that is unknown or revoked."""

    code = "UNAUTHENTICATED"


class StoreUnavailable(DatoraError):
    """The store cannot be reached or opened; the message says which store and why."""

    code = "UNAVAILABLE"


class ConfigurationError(DatoraError):
    """A setting is malformed; the message names the DATORA_* variable."""

    code = "CONFIGURATION"


class Conflict(DatoraError):
    """A write contradicts what is stored (an ID already taken); nothing of it was kept."""

    code = "CONFLICT"
