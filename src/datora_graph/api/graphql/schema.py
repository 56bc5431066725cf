"""The GraphQL schema (`queries.Query`, `mutations.Mutation`), its SDL and its router.

    app.include_router(graphql_router(), prefix="/graphql")   # GraphiQL at GET /graphql

The schema's SDL is committed beside this module (`schema.graphql`); a test fails when they
differ. Regenerate it after a deliberate change with

    python -m datora_graph.api.graphql --write
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, overload

import strawberry
from cross_web import HTTPException
from fastapi import Depends, Request, Response, WebSocket
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from graphql import GraphQLError
from strawberry.extensions import ParserCache
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import (
    StrawberryGraphQLCoreExecutionContext as CoreExecutionContext,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.unset import UNSET

from datora_graph.api.graphql.access import FieldScopes
from datora_graph.api.graphql.audit_fields import AuditQuery
from datora_graph.api.graphql.context import DatoraContext, get_context
from datora_graph.api.graphql.errors import apply_codes, request_error
from datora_graph.api.graphql.execution import PlainFieldExecutor
from datora_graph.api.graphql.limits import (
    BoundedValidation,
    QueryLimits,
    TokenLimit,
    body_within_limit,
)
from datora_graph.api.graphql.mutations import Mutation
from datora_graph.api.graphql.privacy_fields import PrivacyMutation
from datora_graph.api.graphql.queries import Query
from datora_graph.api.graphql.query_cost import QueryCost
from datora_graph.api.graphql.scalars import SCALARS
from datora_graph.api.graphql.steward_fields import StewardMutation, StewardQuery
from datora_graph.domain.errors import json_kind
from datora_graph.json_codec import dumps_compact, read_client_json

SDL_PATH = Path(__file__).with_name("schema.graphql")


class DatoraSchema(strawberry.Schema):
    """Gives every error its code (`errors.apply_codes`) instead of logging them all: a
    client's NOT_FOUND is an answer, not an incident."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = getattr(execution_context, "context", None)
        store_path = context.service.settings.db if isinstance(context, DatoraContext) else None
        apply_codes(errors, store_path)


def build_schema(
    execution_context_class: type[CoreExecutionContext] | None = PlainFieldExecutor,
) -> DatoraSchema:
    """The schema; `execution_context_class=None` executes as stock Strawberry does, which a
    test compares the short way for plain fields with (see execution.py)."""
    return DatoraSchema(
        query=merge_types("Query", (Query, StewardQuery, AuditQuery)),
        mutation=merge_types("Mutation", (Mutation, StewardMutation, PrivacyMutation)),
        extensions=[
            TokenLimit,
            QueryLimits,
            ParserCache,
            BoundedValidation,
            FieldScopes,
            QueryCost,
        ],
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=execution_context_class,
    )


schema = build_schema()


def sdl() -> str:
    """The schema as SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"


class DatoraRouter(GraphQLRouter[DatoraContext, None]):
    """Strawberry's FastAPI router, writing answers with orjson (a journey page's JSON took
    a tenth of a request's time through `json`, several times less through orjson), and
    described in OpenAPI as it answers: GraphiQL as HTML, a GraphQL request body, a 400 for
    a request that is not one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for route in self.routes:
            if isinstance(route, APIRoute):
                _describe(route)

    def encode_json(self, data: object) -> bytes:
        return dumps_compact(data)

    @overload
    async def run(
        self, request: Request, context: DatoraContext = UNSET, root_value: None = UNSET
    ) -> Response: ...

    @overload
    async def run(
        self, request: WebSocket, context: DatoraContext = UNSET, root_value: None = UNSET
    ) -> WebSocket: ...

    async def run(
        self,
        request: Request | WebSocket,
        context: DatoraContext = UNSET,
        root_value: None = UNSET,
    ) -> Response | WebSocket:
        """As Strawberry runs a request, but one it refuses before running (a body that is
        not JSON, no `query` string) is answered as a GraphQL error with its code
        (`errors.request_error`), not in plain text: a client parses every answer alike."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            if isinstance(request, WebSocket):
                raise
            return Response(
                self.encode_json(request_error(exc.status_code, exc.reason)),
                exc.status_code,
                media_type="application/json",
            )

    def decode_json(self, data: str | bytes) -> object:
        """As Strawberry reads a request body (and a GET's `variables`), but whatever makes the
        JSON unusable is a 400 saying why, not a failed request: nested too deeply for `json`,
        an integer of thousands of digits, a lone surrogate no store can keep, or a document
        that is not an object (Strawberry would fail reading its fields)."""
        try:
            document = read_client_json(data)
        except ValueError as exc:
            raise HTTPException(400, f"the request body {exc}") from None
        if not isinstance(document, dict | list):
            raise HTTPException(
                400,
                'the request body must be a JSON object like {"query": "...", "variables": '
                f"{{...}}}}, got {json_kind(document)}",
            )
        return document


_GRAPHQL_REQUEST = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "description": "The GraphQL document"},
        "variables": {"type": ["object", "null"], "description": "Its variables"},
        "operationName": {
            "type": ["string", "null"],
            "description": "Which operation of the document to run, when it holds several",
        },
    },
}


def _describe(route: APIRoute) -> None:
    methods = route.methods or set()
    if "GET" in methods:
        route.summary = "GraphiQL, the in-browser GraphQL editor"
        route.response_class = HTMLResponse
        route.responses = {200: {"description": "The GraphiQL page"}}
    elif "POST" in methods:
        route.summary = "Run a GraphQL query or mutation"
        route.description = (
            "Errors about the query itself come back in `errors` with a 200, each with a "
            "`code` (NOT_FOUND, INVALID_INPUT, FORBIDDEN, LIMIT_EXCEEDED, CONFLICT); the "
            "schema is at GET /graphql (GraphiQL) and in `schema.graphql`."
        )
        route.openapi_extra = {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _GRAPHQL_REQUEST}},
            }
        }
        route.responses = {
            200: {"description": "The answer: `data`, and `errors` where something failed"},
            400: {
                "description": (
                    "Not a GraphQL request: a body that is not JSON, or has no `query` string; "
                    'answered as a GraphQL error, `{"data": null, "errors": [{"message": ..., '
                    '"extensions": {"code": "INVALID_INPUT"}}]}`'
                ),
                "content": {"application/json": {}},
            },
        }


def graphql_router() -> GraphQLRouter[DatoraContext, None]:
    """The `/graphql` endpoint: POST for queries and mutations, GET serves GraphiQL."""
    return DatoraRouter(
        schema,
        graphql_ide="graphiql",
        context_getter=get_context,
        allow_queries_via_get=False,
        tags=["graphql"],
        dependencies=[Depends(body_within_limit)],
    )
