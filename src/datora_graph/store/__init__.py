"""Graph stores behind one port (`base.GraphStore`); `open_store` picks one from settings."""

from __future__ import annotations

from datora_graph.config import Settings
from datora_graph.domain.errors import ConfigurationError
from datora_graph.store.base import GraphStore


def open_store(settings: Settings) -> GraphStore:
    """The store `DATORA_STORE` names, opened with its settings."""
    if settings.store == "sqlite":
        from datora_graph.store.sqlite import SqliteStore

        return SqliteStore(
            settings.db,
            synchronous=settings.sqlite_synchronous,
            read_timeout_seconds=settings.read_timeout_seconds,
        )
    if settings.store == "neo4j":
        from datora_graph.store.neo4j import Neo4jStore, Neo4jTarget

        return Neo4jStore(
            Neo4jTarget(
                uri=settings.neo4j_uri,
                user=settings.neo4j_user,
                password=settings.neo4j_password,
                database=settings.neo4j_database,
                pool_size=settings.neo4j_pool_size,
                timeout_seconds=settings.neo4j_timeout_seconds,
                lock_timeout_seconds=settings.neo4j_lock_timeout_seconds,
                guard_lease_seconds=settings.neo4j_guard_lease_seconds,
            )
        )
    raise ConfigurationError(
        f"DATORA_STORE={settings.store!r}: the stores are sqlite (embedded) and neo4j"
    )
