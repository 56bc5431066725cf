"""Bodies FastAPI reads for a route's model (an erasure, a redaction) read as the batch routes
read theirs: an object giving a key twice is refused, where Starlette's `json.loads` keeps
the last value. `{"profile": "email:ann@acme.io", "profile": "email:bob@acme.io"}` would
erase Bob without a word about Ann.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from datora_graph.json_codec import read_unique_keys


class _UniqueKeysRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = read_unique_keys(await self.body())
        return self._json


class UniqueKeysRoute(APIRoute):
    """A route whose JSON body refuses a key given twice (a ClientJsonError, which FastAPI
    turns into its 400 and `errors.py` into the 422 naming the body, with its words)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read_unique_keys_first(request: Request) -> Response:
            return await handler(_UniqueKeysRequest(request.scope, request.receive))

        return read_unique_keys_first
