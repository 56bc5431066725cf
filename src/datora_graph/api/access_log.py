"""The access log without personal data.

Uvicorn writes each request line with its path and query string, and `GET /v1/profiles?
identifier=email:ann@acme.io` would put a person's e-mail address into the server's log, where
no erasure reaches it. So would a client's mistakes: an identifier in a profile's path
(`/v1/profiles/ann@acme.io`), a GraphQL query sent with GET (`/graphql?query=...`). A filter
on uvicorn's access logger writes only what is known to name no one:
- of the query, the values of the paging and filter parameters that have the shape the
  parameter takes (`LOGGED_PARAMETERS`: a count, a cursor, a time, ...), and of
  `identifier` its type (`identifier=email:***`); any other parameter's value is `***`, and
  so is a name not written as a parameter's name;
- of the path, the route's words and the service's own IDs (`prf_3f2a...`); any other
  segment is `***`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

ACCESS_LOGGER = "uvicorn.access"
IDENTIFYING_PARAMETERS = frozenset({"identifier"})
_COUNT = re.compile(r"\d{1,4}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,512}")
_WORD = re.compile(r"[a-z_]{1,20}")
_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[ +-]\d{2}:?\d{2})?"
)
LOGGED_PARAMETERS: dict[str, re.Pattern[str]] = {
    "first": _COUNT,
    "limit": _COUNT,
    "after": _TOKEN,
    "types": re.compile(r"[A-Za-z0-9_.-]{1,64}(?:,[A-Za-z0-9_.-]{1,64}){0,63}"),
    "since": _TIME,
    "until": _TIME,
    "as_of": _TIME,
    "order": _WORD,
    "kind": _WORD,
    "format": _WORD,
}
"""Query parameters whose values name no one (pages, cursors, event types, times, formats),
each with the shape of the values it takes: a value of another shape is a client's mistake,
which may be anything (an e-mail address sent as `types`), and is masked."""
MASK = "***"
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""A bare type name (`identifier=email` of a segment export) is no one's data: kept."""
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
"""A parameter's name as the API's are written; anything else (`?ann@acme.io`, with a value
or without) may be a person's data sent where a name goes, and is masked."""
_PATH_WORD = re.compile(r"v1|[a-z][a-z._-]{0,63}|[a-z]{2,5}_[0-9a-f]{4,64}")
"""A route's word (`profiles`, `openapi.json`, a segment's name in words) or an ID the
service made (`prf_3f2a9c0d`); a segment with a digit, `@`, `:` or `+` otherwise may be a
person's identifier."""


def masked_target(target: str) -> str:
    """The request target with what may name a person masked."""
    path, mark, query = target.partition("?")
    path = "/".join(p if not p or _PATH_WORD.fullmatch(p) else MASK for p in path.split("/"))
    if not mark:
        return path
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        plain = unquote_plus(name)
        if equals:
            value = _masked_value(plain, value)
        pairs.append(f"{name if _PARAMETER_NAME.fullmatch(plain) else MASK}{equals}{value}")
    return f"{path}?{'&'.join(pairs)}"


def _masked_value(name: str, value: str) -> str:
    shape = LOGGED_PARAMETERS.get(name)
    if shape is not None:
        return value if shape.fullmatch(unquote_plus(value)) else MASK
    if name in IDENTIFYING_PARAMETERS:
        return _masked_identifier(unquote_plus(value))
    return MASK


def _masked_identifier(value: str) -> str:
    if _TYPE_NAME.fullmatch(value):
        return value
    type_name, colon, _ = value.partition(":")
    if colon and _TYPE_NAME.fullmatch(type_name):
        return f"{type_name}:{MASK}"
    return MASK


class MaskPersonalData(logging.Filter):
    """Rewrites uvicorn's access record, whose arguments are (client, method, target, HTTP
    version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], masked_target(args[2]), args[3], args[4])
        return True


def mask_personal_data_in_access_log() -> None:
    """Install the filter (once) on uvicorn's access logger: after uvicorn configured logging,
    which replaces the logger's setup, so at the app's startup."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskPersonalData) for f in access.filters):
        access.addFilter(MaskPersonalData())
