"""Every error Datora Graph raises on purpose.

One base class and a subclass per kind, so the API maps each kind to an HTTP status and a
GraphQL error code in exactly one place (`api/errors.py`).
"""

from __future__ import annotations

from collections.abc import Sequence


def json_kind(value: object) -> str:
    """What a decoded JSON value is, in the words of the client who wrote JSON, for an error
    saying what it got ("must be text, got a list")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float) and value != value:
        return "NaN, which JSON has no number for"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f"{value!r}, which JSON has no number for"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def shown(value: object, limit: int = 60) -> str:
    """`repr(value)` cut short: an error names what it got, not a whole list sent back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


class StoreDamaged(StoreUnavailable):
    """The store's database file is damaged: no retry helps, only a backup or a recovery of
    the file; the message names the file and what to do."""


class ConfigurationError(DatoraError):
    """A setting is malformed; the message names the DATORA_* variable."""

    code = "CONFIGURATION"


class Conflict(DatoraError):
    """A write contradicts what is stored (an ID already taken); nothing of it was kept."""

    code = "CONFLICT"


class ReplayWouldReject(Conflict):
    """A replay of the observation log (a rebuild, a migration) found logged observations the
    current settings reject, which the graph holds now; it stopped before writing anything.
    `rejected` counts them; `examples` says why for the first few, each as `item: field:
    reason`. A subclass names the replay and what it would have done to them."""

    replay = "a replay"
    graph = "the graph holds now"
    loss = "leaving {them} out of {their_profiles}"
    untouched = "nothing was written"

    def __init__(self, rejected: int, examples: Sequence[str], advice: str) -> None:
        listed = "".join(f"\n  {example}" for example in examples)
        more = f"\n  … and {rejected - len(examples):,} more" if rejected > len(examples) else ""
        one = rejected == 1
        loss = self.loss.format(
            them="it" if one else "them", their_profiles="its profile" if one else "their profiles"
        )
        super().__init__(
            f"{self.replay} under the current settings would reject {rejected:,} logged "
            f"observation{'' if one else 's'} {self.graph}, {loss}; "
            f"{self.untouched}:{listed}{more}\n{advice}"
        )
        self.rejected = rejected
        self.examples = tuple(examples)


class RebuildWouldReject(ReplayWouldReject):
    """A rebuild stopped before forgetting the graph (`IdentityService.rebuild`)."""

    replay = "a rebuild"
    loss = "taking {them} out of {their_profiles}"
    untouched = "nothing was changed"


class MigrationWouldReject(ReplayWouldReject):
    """A migration stopped before writing to its target (`migrate.check_log`)."""

    replay = "a migration"
    graph = "the source's graph holds"
    loss = "leaving {them} out of {their_profiles} in the target"
    untouched = "nothing was written to the target"


class KeyRulesChanged(Conflict):
    """The identifier settings that make keys (types, normalisers, default region, junk values)
    differ from those the graph was built under (`domain/key_rules.py`): an operation that finds
    a person's records by the graph's keys would miss those logged before the change."""

    def __init__(self, changes: Sequence[str]) -> None:
        listed = "".join(f"\n  {change}" for change in changes)
        super().__init__(
            "the identifier settings differ from those the graph was built under, so records "
            "logged before the change would be found by other keys than the graph holds: a "
            "split, an erasure or an access request would miss some of a person's records and "
            f"is refused until the graph is rebuilt. What changed:{listed}\n"
            "Rebuild the graph under the current settings (`datora resolve --rebuild`), or "
            "go back to the settings it was built under."
        )
        self.changes = tuple(changes)
