"""A failure nobody expected, caused for real: the running server's database loses its
`profiles` table (renamed away, as a damaged or hand-edited file would). Each answer names an
incident and nothing of the failure; the server's log line for it names the same incident, and
of the request's path only what the access log would show."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route
from tests.api.graphql.conftest import GraphQLClient
from tests.conftest import ServeApp, lose_a_table

from datora_graph.api.incidents import AnswerUnexpectedErrors

from .metrics_scrape import grew, requests, scrape
from .payloads import obs

INCIDENT = re.compile(r"inc_[0-9a-f]{16}")


def ann_then_damage(client: httpx.Client, db_path: Path) -> str:
    """Ann's profile ID, read before the store loses the table it is kept in."""
    items = [obs("o1", "email:ann@acme.io", city="Paris")]
    assert client.post("/v1/observations", json={"observations": items}).json()["accepted"] == 1
    ann: str = client.get("/v1/profiles", params={"identifier": "email:ann@acme.io"}).json()["id"]
    lose_a_table(db_path)
    return ann


def logged(caplog: pytest.LogCaptureFixture, incident: str) -> list[str]:
    """The log lines naming `incident`, each with the name of the exception its record holds."""
    return [
        f"{r.getMessage()} [{r.exc_info[1].__class__.__name__ if r.exc_info else None}]"
        for r in caplog.records
        if incident in r.getMessage()
    ]


def test_rest_answers_an_incident_that_the_log_names(
    client: httpx.Client, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ann = ann_then_damage(client, db_path)
    before = scrape(client)

    with caplog.at_level(logging.ERROR, logger="datora_graph"):
        by_id = client.get(f"/v1/profiles/{ann}")
        # On the same pooled connection: the server used to close it after a 500, and this
        # request failed with a connection reset.
        by_mistake = client.get("/v1/profiles/ann@acme.io")

    incidents = []
    for response in (by_id, by_mistake):
        assert response.status_code == 500, response.text
        error = response.json()["error"]
        assert error["code"] == "INTERNAL"
        assert INCIDENT.fullmatch(error["incident"]), error
        assert error["message"].endswith(f"under incident {error['incident']}")
        assert "profiles_gone" not in response.text
        assert "no such table" not in response.text
        incidents.append(error["incident"])
    assert incidents[0] != incidents[1]
    assert logged(caplog, incidents[0]) == [
        f"incident {incidents[0]}: GET /v1/profiles/{ann} failed with OperationalError "
        "[OperationalError]"
    ]
    assert logged(caplog, incidents[1]) == [
        f"incident {incidents[1]}: GET /v1/profiles/*** failed with OperationalError "
        "[OperationalError]"
    ]
    assert "ann@acme.io" not in caplog.text
    counted = grew(before, scrape(client))
    assert counted[requests("GET", "/v1/profiles/{profile_id}", 500)] == 2


def test_graphql_answers_an_incident_that_the_log_names(
    client: httpx.Client, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ann = ann_then_damage(client, db_path)

    with caplog.at_level(logging.ERROR, logger="datora_graph"):
        error = GraphQLClient(client).error("query ($id: ID!) { profile(id: $id) { id } }", id=ann)

    incident = error["extensions"]["incident"]
    assert INCIDENT.fullmatch(incident), error
    assert error["extensions"] == {"code": "INTERNAL", "incident": incident}
    assert error["message"].endswith(f"under incident {incident}")
    assert "no such table" not in str(error)
    [line] = logged(caplog, incident)
    assert line.startswith(f"incident {incident}: GraphQL field profile failed: ")
    assert line.endswith("[OperationalError]")
    assert "no such table" in line, "the log holds what the answer leaves out"


def test_a_failure_before_graphql_runs_is_answered_as_graphql_answers(
    client: httpx.Client, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The key check fails (the store lost its table of keys): on `/graphql` the failure is
    answered in GraphQL's shape, as a refusal there is."""
    assert client.get("/v1/stats").status_code == 200  # the server has read its keys
    lose_a_table(db_path, "api_keys")

    with caplog.at_level(logging.ERROR, logger="datora_graph"):
        answer = client.post("/graphql", json={"query": "{ insights { profiles } }"})

    assert answer.status_code == 500, answer.text
    body = answer.json()
    assert body["data"] is None
    [error] = body["errors"]
    incident = error["extensions"]["incident"]
    assert error["extensions"] == {"code": "INTERNAL", "incident": incident}
    assert error["message"].endswith(f"under incident {incident}")
    assert logged(caplog, incident) == [
        f"incident {incident}: POST /graphql failed with OperationalError [OperationalError]"
    ]


def test_a_failure_after_the_answer_began_cuts_it_short_for_the_client_and_is_logged(
    serve_app: ServeApp, caplog: pytest.LogCaptureFixture
) -> None:
    """An export stream that fails half-way (a disk error, say): no second answer can be sent,
    so the client must be able to tell that the first is incomplete. A plain Starlette app
    stands in for the export route, since nothing a request does makes a real export fail."""

    async def rows() -> AsyncIterator[bytes]:
        yield b"email\nann@acme.io\n"
        raise OSError("disk I/O error")

    async def export(request: Request) -> StreamingResponse:
        return StreamingResponse(rows(), media_type="text/csv")

    app = Starlette(routes=[Route("/v1/segments/{segment}/export", export)])
    app.add_middleware(AnswerUnexpectedErrors)

    with (
        caplog.at_level(logging.ERROR, logger="datora_graph"),
        serve_app(app) as url,
        pytest.raises(httpx.RemoteProtocolError, match="incomplete"),
    ):
        httpx.get(f"{url}/v1/segments/ann@acme.io/export")

    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("incident ")]
    assert INCIDENT.search(line)
    assert " GET /v1/segments/***/export failed with OSError after its answer began" in line
