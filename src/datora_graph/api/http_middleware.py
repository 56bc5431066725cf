"""The shape the app's own middleware shares: plain ASGI, for HTTP requests only.

Each of them watches or marks an answer by wrapping `send` (its status, its headers, whether
it began), which plain ASGI allows with no task or stream of its own per request, as
Starlette's `BaseHTTPMiddleware` would add. Lifespan messages (any other kind) pass through.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware(ABC):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    @abstractmethod
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request, calling `self.app` for the answer."""
