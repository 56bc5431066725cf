"""Scalars: `DateTime` written exactly as the REST API writes it, and free-form `JSON`.

REST (pydantic) writes a UTC instant as `2026-05-01T09:00:00Z`; Python's `isoformat` would write
`+00:00`. The same instant is the same string in both APIs, so clients can compare them.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from datora_graph.domain.records import utc


def serialize_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with `Z`, microseconds only when there are some (as pydantic does)."""
    return utc(value).isoformat().replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 string; without a zone it is taken as UTC, as everywhere in Datora Graph."""
    if not isinstance(value, str):
        raise ValueError(f"a DateTime is an ISO 8601 string, got {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 8601 date-time (e.g. 2026-05-01T10:00:00Z)"
        ) from None
    try:
        return utc(moment)
    except OverflowError:
        raise ValueError(f"{value!r} leaves the calendar when moved to UTC") from None


DATETIME = strawberry.scalar(
    name="DateTime",
    description="An instant, ISO 8601 in UTC: `2026-05-01T09:00:00Z`. Without a zone, UTC.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DATETIME}
"""For `StrawberryConfig.scalar_map`."""

__all__ = ["JSON", "SCALARS", "parse_datetime", "serialize_datetime"]
