"""A store file damaged on disk (a page of it overwritten, as a disk fault would): every
request that meets the damage is answered 503 UNAVAILABLE, saying the file is damaged, with an
incident ID; the server's log line under that ID names the file and what to do. The client is
not told the file's path, and its connection stays open."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.conftest import ServeApp, auth_headers, damage_table

from datora_graph.api import create_app
from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore

from .metrics_scrape import grew, scrape
from .payloads import obs

INCIDENT = re.compile(r"inc_[0-9a-f]{16}")
DAMAGED = "the store cannot serve this request: its database file is damaged"


@pytest.fixture
def damaged(settings: Settings, serve_app: ServeApp) -> Iterator[tuple[httpx.Client, str]]:
    """A client of a server over a store whose `profiles` table was damaged while it was
    closed, and Ann's profile ID, which the store held before."""
    store = SqliteStore(settings.db)
    try:
        IdentityService(store, settings).ingest_observations(
            [obs("o1", "email:ann@acme.io", city="Paris")]
        )
        ann = store.profile_ids_for_identifiers(["email:ann@acme.io"])["email:ann@acme.io"]
        headers = auth_headers(store)
    finally:
        store.close()
    damage_table(settings.db)
    with (
        serve_app(create_app(settings)) as url,
        httpx.Client(base_url=url, headers=headers, timeout=30) as client,
    ):
        yield client, ann


def the_log_line(caplog: pytest.LogCaptureFixture, incident: str) -> str:
    lines = [r.getMessage() for r in caplog.records if incident in r.getMessage()]
    assert len(lines) == 1, lines
    return lines[0]


def test_rest_says_the_store_is_damaged_and_the_log_says_what_to_do(
    damaged: tuple[httpx.Client, str], db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, ann = damaged

    with caplog.at_level(logging.ERROR, logger="datora_graph"):
        response = client.get(f"/v1/profiles/{ann}")
        after = client.get("/healthz")  # the same pooled connection

    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "UNAVAILABLE"
    assert INCIDENT.fullmatch(error["incident"]), error
    assert error["message"] == f"{DAMAGED}, and the server's log says what to do under " + (
        f"incident {error['incident']}"
    )
    assert str(db_path) not in response.text
    assert the_log_line(caplog, error["incident"]) == (
        f"incident {error['incident']}: GET /v1/profiles/{ann} failed with DatabaseError: the "
        f"SQLite store at {db_path} is damaged (database disk image is malformed): stop the "
        "service and restore the latest backup (`datora backup` makes them), or, without one, "
        "copy out what SQLite can still read and rebuild the profiles from it (README, "
        "Backups: a damaged store)"
    )
    assert after.status_code == 200


def test_graphql_says_the_store_is_damaged_and_the_log_says_what_to_do(
    damaged: tuple[httpx.Client, str], db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, ann = damaged

    with caplog.at_level(logging.ERROR, logger="datora_graph"):
        response = client.post("/graphql", json={"query": f'{{ profile(id: "{ann}") {{ id }} }}'})

    assert response.status_code == 200, response.text
    (error,) = response.json()["errors"]
    incident = error["extensions"]["incident"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "incident": incident}
    assert INCIDENT.fullmatch(incident)
    assert error["message"].startswith(DAMAGED)
    assert error["message"].endswith(f"under incident {incident}")
    assert str(db_path) not in response.text
    line = the_log_line(caplog, incident)
    assert line.startswith(f"incident {incident}: GraphQL field profile failed: the SQLite store")
    assert f"at {db_path} is damaged (database disk image is malformed)" in line


def test_what_the_damage_does_not_reach_is_still_served(
    damaged: tuple[httpx.Client, str],
) -> None:
    client, _ = damaged

    response = client.get("/v1/rejected")

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_after": None}


def test_once_a_request_finds_the_damage_the_server_is_not_ready_and_metrics_count_it(
    damaged: tuple[httpx.Client, str], db_path: Path
) -> None:
    client, ann = damaged
    ready_before = client.get("/readyz")
    before = scrape(client)

    rest = client.get(f"/v1/profiles/{ann}").json()["error"]["incident"]
    graphql = client.post("/graphql", json={"query": f'{{ profile(id: "{ann}") {{ id }} }}'})
    ready = client.get("/readyz")
    after = scrape(client)

    assert ready_before.status_code == 200, ready_before.text
    assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert ready.status_code == 503, ready.text
    error = ready.json()["error"]
    assert error["code"] == "UNAVAILABLE"
    assert re.fullmatch(
        r"the store's database file was found damaged by a request at \S+Z \(incident "
        + rest
        + r"\): this server cannot serve what the damage reaches until the store is restored, "
        r"and the server's log says what to do under that incident",
        error["message"],
    ), error["message"]
    assert str(db_path) not in ready.text
    assert client.get("/healthz").status_code == 200  # a restart would not mend the file
    assert grew(before, after)[("datora_store_damage_total", ())] == 2
