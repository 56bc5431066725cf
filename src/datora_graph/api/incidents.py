"""Incidents: how a failure nobody expected is answered, and found again in the log.

An unexpected failure is answered without its exception (whose text may quote stored data and
says nothing a client can act on). The answer carries an incident ID instead, and the server's
log line for the failure names the same ID, so whoever runs the service finds, among thousands
of requests, the traceback a client's report is about.

The failure is answered here, inside the app, rather than by Starlette's last-resort handler:
that one re-raises after answering, and uvicorn then closes the connection, so a client reusing
pooled connections saw its next request fail with a connection reset.
"""

from __future__ import annotations

import logging
import secrets

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from datora_graph.api.access_log import masked_target
from datora_graph.api.damage_seen import note_damage
from datora_graph.api.http_middleware import HttpMiddleware
from datora_graph.api.paths import graphql_error_answer, is_graphql
from datora_graph.domain.errors import StoreDamaged
from datora_graph.store.sqlite_damage import damage_in, damaged_store

logger = logging.getLogger(__name__)

INCIDENT_FIELD = "incident"
"""The key of the ID in a REST error body and in a GraphQL error's `extensions`."""


def new_incident() -> str:
    """A fresh ID (`inc_` and 16 hex digits): unique enough to find one failure in a log."""
    return f"inc_{secrets.token_hex(8)}"


def incident_response(
    request: Request, error: Exception, *, traceback_follows: bool
) -> JSONResponse:
    """The 500 answering `error` (as a GraphQL answer on `/graphql`), after logging it under a
    new incident: with its traceback, or (`traceback_follows`) saying that the server writes it
    next. Of the path, the log keeps what the access log would (api/access_log.py)."""
    incident = new_incident()
    path = masked_target(request.url.path)
    failed = f"{request.method} {path} failed with {type(error).__name__}"
    damage = damage_in(error)
    if damage is not None:
        store = request.app.state.settings.db
        failed += f": {damaged_store(store, damage)}"
        note_damage(store, incident)
    if traceback_follows:
        logger.error("incident %s: %s; its traceback follows", incident, failed)
    else:
        logger.error("incident %s: %s", incident, failed, exc_info=error)
    if damage is not None:
        code, status, message = StoreDamaged.code, 503, damaged_answer(incident)
    else:
        code, status, message = "INTERNAL", 500, internal_answer(incident)
    if is_graphql(request.url.path):
        extensions: dict[str, object] = {"code": code, INCIDENT_FIELD: incident}
        return JSONResponse(graphql_error_answer(message, extensions), status)
    body = {"code": code, "message": message, "field": None, INCIDENT_FIELD: incident}
    return JSONResponse({"error": body}, status)


def internal_answer(incident: str) -> str:
    return (
        f"the server failed to handle this request; its log holds the details under incident "
        f"{incident}"
    )


def damaged_answer(incident: str) -> str:
    """What a client is told of a damaged store file: not its path, which is the operator's;
    the log line under `incident` names it and what to do."""
    return (
        "the store cannot serve this request: its database file is damaged, and the server's "
        f"log says what to do under incident {incident}"
    )


class AnswerUnexpectedErrors(HttpMiddleware):
    """ASGI middleware answering a route's unexpected failure with `incident_response` and
    keeping the connection open. A failure after the answer began (an export stream cut short)
    goes on to the server, which closes the connection: the one way left to tell the client
    that what it received is incomplete."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started:
                logger.error(
                    "incident %s: %s %s failed with %s after its answer began; the connection "
                    "is closed, so the client sees the answer cut short; its traceback follows",
                    new_incident(),
                    scope["method"],
                    masked_target(scope["path"]),
                    type(error).__name__,
                )
                raise
            response = incident_response(Request(scope), error, traceback_follows=False)
            await response(scope, receive, send)
