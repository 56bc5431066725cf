"""Graph stores behind one port (`base.GraphStore`); `open_store` picks one from settings."""

from __future__ import annotations

from datora_graph.config import Settings
from datora_graph.domain.errors import ConfigurationError
from datora_graph.store.base import GraphStore


def open_store(settings: Settings) -> GraphStore:
    """The store `DATORA_STORE` names, opened with its settings."""
    if settings.store == "sqlite":
        from datora_graph.store.sqlite import SqliteStore

        return SqliteStore(settings.db, synchronous=settings.sqlite_synchronous)
    raise ConfigurationError(
        f"DATORA_STORE={settings.store!r}: that store is not available in this release "
        "(the Neo4j store arrives with issue 4; use sqlite)"
    )
