"""The path whose answers are GraphQL answers, errors included, and that shape for an error.

A GraphQL client reads every answer of `/graphql` as `{"data", "errors"}`, a refusal or a
failure too, so the layers that answer before or instead of GraphQL (access control, the
answer to an unexpected failure) ask here which shape to give.
"""

from __future__ import annotations

GRAPHQL_PATH = "/graphql"


def is_graphql(path: str) -> bool:
    """Whether `path` is GraphQL's (with or without a trailing slash)."""
    return path.rstrip("/") == GRAPHQL_PATH


def graphql_error_answer(message: str, extensions: dict[str, object]) -> dict[str, object]:
    """A GraphQL answer holding one error and no data."""
    return {"data": None, "errors": [{"message": message, "extensions": extensions}]}
