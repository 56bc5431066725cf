"""Who is calling, and may they: API keys on every REST and GraphQL request.

A key comes as `Authorization: Bearer <token>` or `X-API-Key: <token>`. `authorize` runs
before every route (an app-wide dependency installed by `install_access_control`): it looks the
key up by the hash of its token, refuses a missing, unknown or revoked key with 401 and a key
without the route's scope (`REST_SCOPES`) with 403. A route missing from the table needs
`admin`, so a new route is closed until someone decides who may call it. GraphQL checks scopes
per top-level field (`api/graphql/access.py`); here it is only authenticated.

Development mode (`DATORA_DEV_MODE=1`, `datora serve --dev`) serves every call as `dev-mode`
with every scope; it warns at start and marks every response with `X-Datora-Dev-Mode`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.routing import compile_path
from starlette.types import Message, Receive, Scope, Send

from datora_graph.access_service import key_for_token
from datora_graph.api.errors import error_body, status_of
from datora_graph.api.http_middleware import HttpMiddleware
from datora_graph.api.paths import graphql_error_answer, is_graphql
from datora_graph.config import Settings
from datora_graph.domain.access import SCOPES, grants
from datora_graph.domain.errors import DatoraError, Forbidden, StoreUnavailable, Unauthenticated

logger = logging.getLogger(__name__)

DEV_MODE_HEADER = "X-Datora-Dev-Mode"
DEV_MODE_ACTOR = "dev-mode"
CHALLENGE = 'Bearer realm="datora-graph"'

REST_SCOPES: dict[tuple[str, str], str | None] = {
    ("POST", "/v1/observations"): "ingest",
    ("POST", "/v1/events"): "ingest",
    ("POST", "/v1/consent"): "ingest",
    ("GET", "/v1/profiles/{profile_id}"): "read",
    ("GET", "/v1/profiles"): "read",
    ("GET", "/v1/profiles/{profile_id}/journey"): "read",
    ("GET", "/v1/rejected"): "read",
    ("GET", "/v1/stats"): "read",
    ("GET", "/v1/segments/{segment_id}/export"): "read:pii",
    ("POST", "/v1/access-requests"): "admin",
    ("POST", "/v1/erasures"): "admin",
    ("POST", "/v1/redactions"): "admin",
    ("GET", "/healthz"): None,
    ("GET", "/readyz"): None,
    ("GET", "/metrics"): None,
}
"""The scope each REST route needs, by method and path template; None: open to anyone.
Routes not listed need `admin`. The OpenAPI document and its pages are open."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request: a key's name and scopes, or development mode."""

    name: str
    scopes: frozenset[str]
    dev_mode: bool = False

    def allows(self, scope: str) -> bool:
        return grants(self.scopes, scope)

    @property
    def sees_pii(self) -> bool:
        return self.allows("read:pii")


DEV_PRINCIPAL = Principal(DEV_MODE_ACTOR, frozenset(SCOPES), dev_mode=True)
ANONYMOUS = Principal("anonymous", frozenset())


_PATTERNS = [
    (method, compile_path(template)[0], scope) for (method, template), scope in REST_SCOPES.items()
]
"""The table's templates as Starlette matches them, so a request is judged by its own path,
not by how a FastAPI version records the route it matched."""


def scope_for(method: str, path: str) -> str | None:
    """The scope a request needs (`admin` when the table names no route for it)."""
    method = "GET" if method == "HEAD" else method
    for wanted, pattern, scope in _PATTERNS:
        if wanted == method and pattern.match(path):
            return scope
    return "admin"


def presented_token(connection: HTTPConnection) -> str | None:
    """The one API key a request presents, or None. Two different keys (an Authorization
    header and X-API-Key, or a header twice) are refused: serving one of them would be a
    choice the caller did not make, and could act as a key they did not mean to use."""
    tokens = [_bearer(value) for value in connection.headers.getlist("authorization") if value]
    tokens += [k.strip() for k in connection.headers.getlist("x-api-key") if k.strip()]
    if len(set(tokens)) > 1:
        raise Unauthenticated(
            f"the request presents {len(set(tokens))} different API keys (in its Authorization "
            "or X-API-Key headers); send one"
        )
    return tokens[0] if tokens else None


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            f"the Authorization header must be `Bearer <API key>`; got the scheme {scheme!r}"
        )
    return token.strip()


def authenticate(connection: HTTPConnection) -> Principal:
    """The caller, remembered on the request; Unauthenticated naming what is wrong. Blocking
    (one store read): `authorize` decides where it runs."""
    known: Principal | None = getattr(connection.state, "principal", None)
    if known is not None:
        return known
    settings: Settings = connection.app.state.settings
    if settings.auth_dev_mode:
        principal = DEV_PRINCIPAL
    else:
        token = presented_token(connection)
        if token is None:
            raise Unauthenticated(
                "this call needs an API key: send `Authorization: Bearer <key>` or "
                "`X-API-Key: <key>` (create one with `datora keys create`)"
            )
        service = getattr(connection.app.state, "service", None)
        if service is None:
            raise StoreUnavailable("the store is not open yet; the server is starting or stopping")
        key = key_for_token(service.store, token)
        if key is None:
            raise Unauthenticated("the API key is not known (it may be mistyped)")
        if not key.active:
            raise Unauthenticated(f"the API key {key.name!r} was revoked at {key.revoked_at}")
        principal = Principal(key.name, key.scopes)
    connection.state.principal = principal
    return principal


def require(principal: Principal, scope: str, what: str) -> None:
    """Forbidden unless the caller holds `scope` (or one implying it)."""
    if not principal.allows(scope):
        held = ", ".join(sorted(principal.scopes)) or "none"
        raise Forbidden(
            f"the API key {principal.name!r} may not call {what}: it needs the scope "
            f"{scope!r} and holds {held}"
        )


async def authorize(connection: HTTPConnection) -> None:
    """The app-wide dependency: authenticate, then check the route's scope."""
    path: str = connection.scope["path"]
    if is_graphql(path):
        if connection.scope["type"] == "http" and _is_graphiql_page(connection):
            return
        await _authenticated(connection)
        return
    method = connection.scope.get("method", "GET")
    needed = scope_for(method, path)
    if needed is None:
        return
    require(await _authenticated(connection), needed, f"{method} {path}")


async def _authenticated(connection: HTTPConnection) -> Principal:
    """`authenticate`, inline where the key lookup is a local read or none (development
    mode), in the thread pool otherwise (see `Settings.store_reads_are_local`)."""
    settings: Settings = connection.app.state.settings
    if settings.auth_dev_mode or settings.store_reads_are_local:
        return authenticate(connection)
    return await run_in_threadpool(authenticate, connection)


def _is_graphiql_page(connection: HTTPConnection) -> bool:
    """GET /graphql without a query serves the GraphiQL page: static, open like /docs."""
    return connection.scope.get("method") == "GET" and "query" not in connection.query_params


def current_principal(request: Request) -> Principal:
    """The caller `authorize` found (dev mode or the open routes: authenticated now)."""
    return authenticate(request)


Caller = Annotated[Principal, Depends(current_principal)]
_Shown = TypeVar("_Shown")


def for_caller(caller: Principal, value: _Shown, mask: Callable[[_Shown], _Shown]) -> _Shown:
    """`value` as the caller may see it: masked (`domain/pii.py`) without `read:pii`."""
    return value if caller.sees_pii else mask(value)


def access_error_response(request: Request, error: DatoraError) -> JSONResponse:
    """401 and 403 in the REST error shape, or as a GraphQL answer on `/graphql`; a 401 always
    carries `WWW-Authenticate`."""
    status = status_of(error)
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
    if is_graphql(request.url.path):
        body = graphql_error_answer(str(error), {"code": error.code})
        return JSONResponse(body, status, headers=headers)
    return JSONResponse(error_body(error.code, str(error)), status, headers=headers)


class DevModeHeader(HttpMiddleware):
    """Marks every response of a development-mode server, so nobody mistakes it for a real one."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((DEV_MODE_HEADER.lower().encode(), b"no authentication"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, marked)


DEV_MODE_WARNING = (
    "DEVELOPMENT MODE: authentication is OFF. Every call is served as 'dev-mode' with every "
    "scope, personal data included. Never expose this server; unset DATORA_DEV_MODE / drop "
    "--dev and use API keys (`datora keys create`)."
)


def install_access_control(app: FastAPI, settings: Settings) -> None:
    """Make `authorize` run before every route included after this call, answer access errors
    in the right shape, and in development mode warn and mark responses."""
    app.router.dependencies.append(Depends(authorize))

    async def on_access_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DatoraError)
        return access_error_response(request, exc)

    app.add_exception_handler(Unauthenticated, on_access_error)
    app.add_exception_handler(Forbidden, on_access_error)
    if settings.auth_dev_mode:
        logger.warning(DEV_MODE_WARNING)
        app.add_middleware(DevModeHeader)
