"""What every resolver gets in `info.context`: the services, the caller and this request's
DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeAlias, TypeVar

import strawberry
from fastapi import Request
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import BaseContext

from datora_graph.api.auth import ANONYMOUS, Principal
from datora_graph.api.graphql.loaders import Loaders
from datora_graph.api.routes import get_segment_service, get_service
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService

_P = ParamSpec("_P")
_T = TypeVar("_T")


class DatoraContext(BaseContext):
    """One per request, so the loaders' caches never outlive it."""

    def __init__(
        self, service: IdentityService, segments: SegmentService, principal: Principal
    ) -> None:
        super().__init__()
        self.service = service
        self.segments = segments
        self.principal = principal
        self.actor: str = principal.name
        """Who the audit log names for what this request does: the API key's name."""
        self.loaders = Loaders(
            service.store, segments, inline_reads=service.settings.store_reads_are_local
        )

    async def read(self, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run a (synchronous) service or store call in the thread pool, off the event loop."""
        return await run_in_threadpool(call, *args, **kwargs)


Info: TypeAlias = strawberry.Info[DatoraContext, None]


async def get_context(request: Request) -> DatoraContext:
    """The router's `context_getter`. A store that is not open yet is a 503, as for every
    REST endpoint. The services are read from the app directly, not through FastAPI's
    dependencies, which would each cost a trip to the thread pool on every request; only
    making the segment service (once per store: it may bring stored traits up to date) runs
    there. The caller was authenticated by `api.auth.authorize` before this runs."""
    service = get_service(request)
    # `auth.authorize` checked the key of every operation before; only the GraphiQL page
    # (no operation) comes without one, and an anonymous caller may run no field.
    principal: Principal = getattr(request.state, "principal", None) or ANONYMOUS
    segments: SegmentService | None = getattr(request.app.state, "segment_service", None)
    if segments is None or segments.store is not service.store:
        segments = await run_in_threadpool(get_segment_service, request)
    return DatoraContext(service, segments, principal)
