"""Times as the service keeps them (UTC, fixed-width text), and the latest time it takes.

Its own module because records and consent statements both need it, and `records` imports
`consent`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from datora_graph.domain.errors import InvalidInput, json_kind, shown

TIME_EXAMPLE = "2026-05-01T10:00:00Z"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def number_text(text: str) -> bool:
    """Whether `text` holds only a number, which pydantic would read as a time in Unix epoch
    seconds (a source may have meant milliseconds, or `20260501` a date): a time is ISO 8601
    text, in a request body as in a query string."""
    return _NUMBER.fullmatch(text.strip()) is not None


def time_text(value: object) -> str:
    """`value`, if it is text that may be a time; ValueError saying why not otherwise: a
    number, or text holding one (`number_text`), is refused rather than read as epoch
    seconds."""
    if isinstance(value, str) and not number_text(value):
        return value
    got = f"a number as text ({shown(value, 30)})" if isinstance(value, str) else json_kind(value)
    raise ValueError(f"must be an ISO 8601 time such as {TIME_EXAMPLE}, got {got}")


def utc(moment: datetime) -> datetime:
    """Timestamps without a zone are taken as UTC; all are stored in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def in_calendar(field: str, moment: datetime) -> datetime:
    """`utc(moment)`, or InvalidInput naming `field` when its offset moves it out of the
    calendar (0001-01-01T00:00+23:59 is in year 0 in UTC)."""
    try:
        return utc(moment)
    except OverflowError:
        raise InvalidInput(field, f"{moment.isoformat()} is outside years 1-9999 in UTC") from None


@lru_cache(maxsize=65_536)
def iso(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601 (microseconds, `Z`), so strings sort in time order."""
    return utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def not_after(field: str, moment: datetime, latest: datetime | None) -> datetime:
    """`moment`, unless it is later than `latest` (None: any time is taken, as when the log
    is replayed): a time in the future is refused naming `field`."""
    if latest is not None and moment > latest:
        raise InvalidInput(
            field,
            f"{iso(moment)} is in the future: this service takes times up to {iso(latest)} "
            "(its clock, plus a tolerance for a source's clock that runs ahead)",
        )
    return moment
