"""The HTTP API: `create_app` builds the FastAPI application (REST, and GraphQL at `/graphql`)."""

from datora_graph.api.app import create_app

__all__ = ["create_app"]
