"""The one place where errors become HTTP responses.

Every error body has the same shape, whatever raised it (a domain error, FastAPI's own request
validation, an unknown route), so a client needs one parser:

    {"error": {"code": "INVALID_INPUT", "message": "first: must be between 1 and 1000",
               "field": "first"}}

A failure nobody expected is `INTERNAL`, with an `incident` ID the server's log names it by
(api/incidents.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from datora_graph.api.access_log import masked_target
from datora_graph.api.incidents import AnswerUnexpectedErrors, incident_response
from datora_graph.domain.errors import (
    ConfigurationError,
    Conflict,
    DatoraError,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    StoreUnavailable,
    Unauthenticated,
)
from datora_graph.domain.moments import TIME_EXAMPLE
from datora_graph.domain.reasons import pydantic_reason
from datora_graph.domain.records import field_path
from datora_graph.json_codec import why_not_json

logger = logging.getLogger(__name__)

STATUS_OF: dict[type[DatoraError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    LimitExceeded: 413,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    StoreUnavailable: 503,
    ConfigurationError: 500,
}
"""HTTP status of each domain error kind; anything else deliberate is a 500."""

_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
_REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie"})
_UNPARSABLE_BODY = "There was an error parsing the body"
"""FastAPI's detail for a JSON body it failed to decode (`fastapi.routing`)."""


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "field": field}}


def http_error_code(status: int) -> str:
    """The code of an HTTP error no domain error raised (an unknown route, a wrong method)."""
    return _HTTP_CODES.get(status, f"HTTP_{status}")


def status_of(error: DatoraError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 500


def domain_error_response(error: DatoraError) -> JSONResponse:
    field = error.field if isinstance(error, InvalidInput) else None
    return JSONResponse(error_body(error.code, str(error), field or None), status_of(error))


def request_field(loc: Sequence[int | str]) -> str:
    """`("query", "first")` → `first`; `("body", "observations", 2)` → `observations[2]`."""
    parts = list(loc)
    if parts == ["body"]:
        return "body"  # the body as a whole: missing, or not an object
    if parts and parts[0] in _REQUEST_PARTS:
        parts = parts[1:]
    return field_path(parts)


def validation_error_response(error: RequestValidationError) -> JSONResponse:
    problems = error.errors()
    if not problems:
        return JSONResponse(error_body("INVALID_INPUT", "the request is invalid"), 422)
    first = problems[0]
    if first.get("type") == "json_invalid":
        return _not_json(first, error.body)
    field = request_field(first.get("loc", ()))
    reason = _plus_read_as_space(first) or pydantic_reason(first)
    message = f"{field}: {reason}" if field else reason
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problems)"
    return JSONResponse(error_body("INVALID_INPUT", message, field or None), 422)


def _plus_read_as_space(problem: Mapping[str, Any]) -> str | None:
    """Why a time in a query string failed, when it did because its `+hh:mm` zone offset was
    sent unencoded: a query string reads `+` as a space, so `2026-05-01T10:00:00+02:00`
    arrives as `2026-05-01T10:00:00 02:00`, and pydantic only says "unexpected extra
    characters"."""
    loc, text = problem.get("loc", ()), problem.get("input")
    if not loc or loc[0] != "query" or not isinstance(text, str):
        return None
    if not str(problem.get("type", "")).startswith("date"):  # datetime_* and date_*
        return None
    moment, space, offset = text.rpartition(" ")
    if not space or not _OFFSET.fullmatch(offset):
        return None
    try:
        datetime.fromisoformat(f"{moment}+{offset}")
    except ValueError:
        return None
    return (
        f"{text!r} has a space where its time zone offset's + would be: a query string reads "
        f"+ as a space, so encode it as %2B ({moment}%2B{offset}) or give the time in UTC "
        f"with Z ({TIME_EXAMPLE})"
    )


_OFFSET = re.compile(r"[0-9]{2}(:?[0-9]{2})?")


def _not_json(problem: Mapping[str, Any], document: object) -> JSONResponse:
    """FastAPI reports a body that is not JSON as a problem at `body[<position>]`, with the
    text it read; say what is wrong and where in the words the batch routes use."""
    loc = problem.get("loc", ())
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    why = (problem.get("ctx") or {}).get("error", "JSON decode error")
    text = document if isinstance(document, str) else ""
    return unreadable_body_response(json.JSONDecodeError(why, text, position))


def unreadable_body_response(cause: BaseException | None) -> JSONResponse:
    """A JSON body FastAPI could not decode (its 400, or a validation problem) as the 422 of
    any other bad body: a client sees one kind of answer for bad input."""
    reason = why_not_json(cause) if cause is not None else "could not be read as JSON"
    return JSONResponse(error_body("INVALID_INPUT", f"body: {reason}", "body"), 422)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the API document gives `path` (HEAD with GET, as Starlette serves it),
    sorted; [] for a path it does not have."""
    allowed: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if compile_path(template)[0].fullmatch(path):
            allowed |= {method.upper() for method in operations if method in _METHODS}
    if "GET" in allowed:
        allowed.add("HEAD")
    return sorted(allowed)


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`; `create_app` calls this once."""

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DatoraError)
        if status_of(exc) >= 500:
            logger.warning("%s %s failed: %s", request.method, masked_target(request.url.path), exc)
        return domain_error_response(exc)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_error_response(exc)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
            return unreadable_body_response(exc.__cause__)
        code = http_error_code(exc.status_code)
        message = str(exc.detail)
        headers = exc.headers
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no endpoint {request.url.path}; see /docs"
        elif exc.status_code == 405 and (allowed := allowed_methods(app, request.url.path)):
            # Starlette names the methods of the first route with this path alone: `/graphql`
            # answered `Allow: GET`, its POST left out.
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
            message = (
                f"{request.url.path} does not take {request.method}; it takes "
                f"{' or '.join(allowed)} (see /docs)"
            )
        return JSONResponse(error_body(code, message), exc.status_code, headers=headers)

    async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # A middleware's failure, outside AnswerUnexpectedErrors: Starlette re-raises after
        # this answer, and the server logs the traceback next.
        return incident_response(request, exc, traceback_follows=True)

    app.add_exception_handler(DatoraError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    # Added first, so the innermost: its answer passes through the others (CORS headers).
    app.add_middleware(AnswerUnexpectedErrors)
