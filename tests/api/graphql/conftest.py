"""A real GraphQL client over HTTP: `graphql.data(query, **variables)` posts to the running
test server's `/graphql` exactly as any client would, and fails the test on any error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest


class GraphQLClient:
    """Posts GraphQL documents to `/graphql` with httpx; answers are plain JSON."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def post(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        assert set(answer) <= {"data", "errors", "extensions"}, answer
        return answer

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The `data` of an answer that must have no errors."""
        answer = self.post(query, **variables)
        assert "errors" not in answer, answer["errors"]
        data: dict[str, Any] = answer["data"]
        return data

    def error(self, query: str, **variables: Any) -> dict[str, Any]:
        """The one error of an answer that must have exactly one."""
        answer = self.post(query, **variables)
        errors = answer.get("errors") or []
        assert len(errors) == 1, answer
        error: dict[str, Any] = errors[0]
        assert error["message"], error
        return error


@pytest.fixture
def graphql(server: str, admin_token: str) -> Iterator[GraphQLClient]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=server, timeout=30, headers=headers) as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="module")
def module_graphql(module_client: httpx.Client) -> GraphQLClient:
    """GraphQL over the module's shared server (`tests.conftest.module_client`)."""
    return GraphQLClient(module_client)
