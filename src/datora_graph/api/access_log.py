"""The access log without personal data.

Uvicorn writes each request line with its query string, and `GET /v1/profiles?identifier=
email:ann@acme.io` would put a person's e-mail address into the server's log, where no erasure
reaches it. A filter on uvicorn's access logger masks the value of every query parameter that
names an identifier, keeping its type: `identifier=email:***`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

ACCESS_LOGGER = "uvicorn.access"
IDENTIFYING_PARAMETERS = frozenset({"identifier"})
MASK = "***"
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""A bare type name (`identifier=email` of a segment export) is no one's data: kept."""


def masked_target(target: str) -> str:
    """The request target with the value of each identifying parameter masked."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        if equals and unquote_plus(name) in IDENTIFYING_PARAMETERS:
            value = _masked(unquote_plus(value))
        pairs.append(f"{name}{equals}{value}")
    return f"{path}?{'&'.join(pairs)}"


def _masked(value: str) -> str:
    if _TYPE_NAME.fullmatch(value):
        return value
    type_name, colon, _ = value.partition(":")
    if colon and _TYPE_NAME.fullmatch(type_name):
        return f"{type_name}:{MASK}"
    return MASK


class MaskIdentifiers(logging.Filter):
    """Rewrites uvicorn's access record, whose arguments are (client, method, target, HTTP
    version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], masked_target(args[2]), args[3], args[4])
        return True


def mask_identifiers_in_access_log() -> None:
    """Install the filter (once) on uvicorn's access logger: after uvicorn configured logging,
    which replaces the logger's setup, so at the app's startup."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskIdentifiers) for f in access.filters):
        access.addFilter(MaskIdentifiers())
