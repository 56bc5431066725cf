"""The one place where errors become GraphQL errors with a machine-readable `extensions.code`.

Every error in a GraphQL answer carries a code, whatever raised it, so a client needs one
switch:

    {"message": "no profile has the ID 'prf_x'", "path": ["profile"],
     "extensions": {"code": "NOT_FOUND"}}

- a domain error (`domain/errors.py`) keeps its own code: NOT_FOUND, INVALID_INPUT (with
  `extensions.field` naming the argument or item), FORBIDDEN, LIMIT_EXCEEDED, CONFLICT, ...;
- an error that already carries a code (the query limits of `limits.py`) keeps it;
- a document or variables GraphQL itself refuses (syntax, unknown field, wrong type, a null
  for a non-null argument) is INVALID_INPUT: no resolver ran; one too large for
  graphql-core to parse (`limits.MAX_TOKENS`) or to validate is LIMIT_EXCEEDED;
- anything else is a bug: INTERNAL, with the details in the server log, not in the answer,
  which carries the incident ID (`extensions.incident`) the log names them by; but a store
  file found damaged (store/sqlite_damage.py) is UNAVAILABLE, with an incident ID too.

A request that is not a GraphQL request (a body that is not JSON, or has no `query` string)
never reaches GraphQL; the router answers it with a 400 of the same shape, INVALID_INPUT
(`request_error`), where Strawberry would answer plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from graphql.validation.validate import ValidationAbortedError

from datora_graph.api.damage_seen import note_damage
from datora_graph.api.errors import http_error_code
from datora_graph.api.graphql.limits import TOO_MANY_TOKENS, too_many_tokens
from datora_graph.api.incidents import INCIDENT_FIELD, damaged_answer, new_incident
from datora_graph.api.paths import graphql_error_answer
from datora_graph.domain.errors import DatoraError, InvalidInput, StoreDamaged
from datora_graph.store.sqlite_damage import damage_in, damaged_store

logger = logging.getLogger(__name__)

INVALID_INPUT = "INVALID_INPUT"
INTERNAL = "INTERNAL"
INTERNAL_MESSAGE = (
    "the server failed to resolve this field; its log holds the details under incident"
)
"""Followed by the incident ID (api/incidents.py)."""


LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
TOO_LARGE_TO_VALIDATE = (
    "the query is too large to validate (hundreds of fields in one selection, or fragments "
    "spread too many times); split it into several queries"
)


VALIDATION_ABORTED = "Validation aborted."
"""What graphql-core says when it gives up on a document that would take it too much work (or
too deep a recursion) to validate. Its abort after 100 errors is the same class,
`ValidationAbortedError`, with a longer message and is the client's INVALID_INPUT, so only the
text tells the two apart; tests/api/graphql/test_graphql_core_texts.py pins both."""


def _too_large_to_validate(error: GraphQLError) -> bool:
    return isinstance(error, ValidationAbortedError) and error.message == VALIDATION_ABORTED


def code_of(error: GraphQLError) -> str:
    """The `extensions.code` of an error, by the rules in this module's docstring."""
    if _too_large_to_validate(error) or too_many_tokens(error):
        return LIMIT_EXCEEDED
    original = error.original_error
    if isinstance(original, DatoraError):
        return original.code
    existing = (error.extensions or {}).get("code")
    if isinstance(existing, str):
        return existing
    if error.path is None or original is None or isinstance(original, GraphQLError):
        # Before execution, or graphql-core refusing an argument while executing (an explicit
        # null variable for a non-null argument with a default): nothing of ours raised.
        return INVALID_INPUT
    return INTERNAL


def apply_codes(errors: Sequence[GraphQLError], store_path: Path | None = None) -> None:
    """Give every error of an answer its code, in place, before the answer is written; log
    the bugs (with their traceback) and mask their messages. A client's mistake is not logged.
    A store file found damaged is UNAVAILABLE, and the log names the file (`store_path`).

    Called by the schema's `process_errors`, which Strawberry runs once for every error of
    every stage (parsing, validation, execution), whichever stage or extension raised it."""
    for error in errors:
        code = code_of(error)
        original = error.original_error
        extensions: dict[str, Any] = {**(error.extensions or {}), "code": code}
        if isinstance(original, DatoraError):
            error.message = str(original)
        if _too_large_to_validate(error):
            error.message = TOO_LARGE_TO_VALIDATE
        elif too_many_tokens(error):
            error.message = TOO_MANY_TOKENS
        if isinstance(original, InvalidInput) and original.field:
            extensions["field"] = original.field
        if code == INTERNAL and INCIDENT_FIELD not in extensions:
            incident = new_incident()
            cause: object = original or error.message
            damage = damage_in(original) if original is not None else None
            if damage is not None and store_path is not None:
                cause = damaged_store(store_path, damage)
                note_damage(store_path, incident)
            logger.error(
                "incident %s: GraphQL field %s failed: %s",
                incident,
                ".".join(str(p) for p in error.path or ()),
                cause,
                exc_info=original,
            )
            if damage is None:
                error.message = f"{INTERNAL_MESSAGE} {incident}"
            else:
                extensions["code"] = StoreDamaged.code
                error.message = damaged_answer(incident)
            extensions[INCIDENT_FIELD] = incident
        error.extensions = extensions


_POST_ONLY = "send GraphQL operations with POST; GET /graphql serves only the GraphiQL page"
NOT_A_GRAPHQL_REQUEST = {
    "No GraphQL query found in the request": (
        'the request has no `query` string: POST a JSON body like {"query": "{ ... }", '
        '"variables": {...}}'
    ),
    "The GraphQL operation's `query` must be a string or null, if provided.": (
        "the request body's `query` must be a string: the GraphQL document"
    ),
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        "the request body's `variables` must be an object of the operation's variables, or null"
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        "the request body's `extensions` must be an object, or null"
    ),
    "Unsupported content type": (
        "the request body must be JSON, sent with `Content-Type: application/json`"
    ),
    "queries are not allowed when using GET": _POST_ONLY,
    "mutations are not allowed when using GET": _POST_ONLY,
    "Batching is not enabled": (
        'the request body must be one JSON object like {"query": "..."}, not a list: '
        "batches of operations are not served"
    ),
}
"""Strawberry's reasons for refusing a request (`http/async_base_view.py`), in this service's
words; the words of ours (`schema.DatoraRouter.decode_json`) and any other pass unchanged."""


def request_error(status: int, reason: str) -> dict[str, object]:
    """The answer to a request Strawberry refused before running it (`status`, `reason` of its
    HTTPException), as a GraphQL answer: one error, with a code like any other."""
    code = INVALID_INPUT if status == 400 else http_error_code(status)
    message = NOT_A_GRAPHQL_REQUEST.get(reason, reason)
    return graphql_error_answer(message, {"code": code})
