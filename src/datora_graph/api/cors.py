"""Pages of other web origins calling the API from a browser (`DATORA_CORS_ORIGINS`).

A browser lets a page of `https://app.example.com` read an answer of this server only when the
answer names that origin, and asks first (a preflight OPTIONS) before a POST of JSON or a call
carrying an API key. Starlette's middleware answers both for the configured origins, and is
added last, so that it is the outermost layer: a preflight is answered before any access check
(it carries no key), and a 401 or 403 carries the headers too, so the page can read why.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from datora_graph.api.auth import DEV_MODE_HEADER

PREFLIGHT_CACHE_SECONDS = 600


def allow_browser_origins(app: FastAPI, origins: Sequence[str]) -> None:
    """Answer the browsers of `origins` (none: no header at all, as without this)."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        expose_headers=[DEV_MODE_HEADER],
        max_age=PREFLIGHT_CACHE_SECONDS,
    )
