"""The application factory.

    >>> app = create_app(Settings(db=Path("data/demo.db")))      # doctest: +SKIP
    >>> uvicorn.run(app)                                          # doctest: +SKIP

The store is opened when the application starts and closed when it stops, so building an
app is cheap and a test can hand in a service it already holds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import datora_graph
from datora_graph.answered_upgrade import upgrade_answered_items
from datora_graph.api.access_log import mask_personal_data_in_access_log
from datora_graph.api.auth import install_access_control
from datora_graph.api.cors import allow_browser_origins
from datora_graph.api.errors import install_error_handlers
from datora_graph.api.gc_tuning import long_lived_objects_set_aside
from datora_graph.api.graphql import graphql_router
from datora_graph.api.metrics import CountRequests
from datora_graph.api.routes import probes, router
from datora_graph.api.store_metrics import StoreCounts
from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store import open_store
from datora_graph.store.base import GraphStore

logger = logging.getLogger(__name__)

_DESCRIPTION = """\
Identity resolution: post **observations** (identifiers seen together, with attributes) and
**events**; read the golden **profiles** they resolve into, and their **journeys**.

Every error has the body `{"error": {"code", "message", "field"}}`; a failure the service did
not expect (`INTERNAL`, 500) also names the `incident` its server log holds the details under.

GraphQL (profiles, journeys, segments, traits, consent, insights) is served at `/graphql`,
with GraphiQL in a browser.
"""


def create_app(settings: Settings | None = None, service: IdentityService | None = None) -> FastAPI:
    """An app over `service` (the caller keeps ownership and closes its store), or over a store
    opened from `settings` at startup and closed at shutdown."""
    if settings is None:
        settings = service.settings if service is not None else Settings()
    chosen = settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mask_personal_data_in_access_log()
        if service is not None:
            app.state.service = service
            with long_lived_objects_set_aside():
                yield
            return
        store = open_store(chosen)
        try:
            upgraded = upgrade_answered_items(store)
            if upgraded is not None and (message := upgraded.message()):
                logger.warning("%s", message)
            app.state.service = IdentityService(store, chosen)
            with long_lived_objects_set_aside():
                yield
        finally:
            app.state.service = None
            store.close()

    app = FastAPI(
        title="Datora Graph",
        version=datora_graph.__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = chosen
    app.state.service = None

    def running_store() -> GraphStore | None:
        service: IdentityService | None = app.state.service
        return service.store if service is not None else None

    app.state.store_counts = StoreCounts(running_store, chosen.metrics_store_seconds, chosen.db)
    install_error_handlers(app)
    install_access_control(app, chosen)
    allow_browser_origins(app, chosen.cors_origins)
    app.include_router(router)
    app.include_router(probes)
    app.include_router(graphql_router(), prefix="/graphql")
    app.add_middleware(CountRequests)  # the last added: outermost, it sees every answer
    return app
