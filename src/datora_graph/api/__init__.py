"""The HTTP API: `create_app` builds the FastAPI application (REST today, GraphQL later)."""

from datora_graph.api.app import create_app

__all__ = ["create_app"]
