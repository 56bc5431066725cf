"""The `store` fixture: every conformance test runs once per store adapter.

- `sqlite`: a fresh database file in the test's temporary directory.
- `neo4j`: the server named by `DATORA_TEST_NEO4J_URI` (with `DATORA_TEST_NEO4J_USER`,
  `DATORA_TEST_NEO4J_PASSWORD`, `DATORA_TEST_NEO4J_DATABASE`), else a Neo4j 5 container started
  by testcontainers when a Docker engine answers, else skipped with the reason. The database is
  wiped before every test (before every module, for `module_store`), so point
  `DATORA_TEST_NEO4J_URI` at a throwaway server only. That one server is shared by every
  pytest-xdist worker, so a worker holds a lock between them (`one_test_at_a_time`) from the
  wipe until its test is done, and `module_store` is made for each test; a container is each
  worker's own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from datora_graph.store.base import GraphStore
from datora_graph.store.process_lock import ProcessLock

from .replay_world import World

NEO4J_NOT_IMPLEMENTED = "Neo4j store not implemented yet (issue 4)"
NO_NEO4J_SERVER = "Neo4j conformance: no Docker engine here and DATORA_TEST_NEO4J_URI is not set"
NEO4J_IMAGE = "neo4j:5"


@dataclass(frozen=True, slots=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    database: str


@dataclass(slots=True)
class StoreOpener:
    """Opens handles on one test's store, so a test can close a store and open it again to see
    what survived; every handle still open is closed when the test ends."""

    open_handle: Callable[[], GraphStore]
    handles: list[GraphStore] = field(default_factory=list)
    closed: set[int] = field(default_factory=set)

    def open(self) -> GraphStore:
        store = self.open_handle()
        self.handles.append(store)
        return store

    def reopen(self, store: GraphStore) -> GraphStore:
        self.close(store)
        return self.open()

    def close(self, store: GraphStore) -> None:
        if id(store) not in self.closed:
            self.closed.add(id(store))
            store.close()

    def close_all(self) -> None:
        for store in self.handles:
            self.close(store)


ADAPTERS = ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=ADAPTERS)
def store_opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreOpener]:
    """Parametrises the suite over every adapter; tests normally ask for `store`."""
    with _alone_on_a_shared_server(request):
        opener = _empty_store_opener(request, tmp_path)
        yield opener
        opener.close_all()


def module_or_test(fixture_name: str, config: pytest.Config) -> Literal["module", "function"]:
    """A module's scope, but a test's where the workers share one Neo4j server: a worker
    holding the server between its tests would wait for its next test while another waits for
    the server, a deadlock (pytest-xdist hands out the last tests only once no worker has
    two waiting)."""
    return "function" if _shared_by_workers() else "module"


@pytest.fixture(scope=module_or_test, params=ADAPTERS)
def module_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    """One store of each adapter for a whole module, for tests that only read what a module
    fixture wrote into it once (ingesting the same data per test was most of their time)."""
    with _alone_on_a_shared_server(request):
        opener = _empty_store_opener(request, tmp_path_factory.mktemp("module-store"))
        yield opener.open()
        opener.close_all()


@pytest.fixture(scope="session")
def one_test_at_a_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessLock]:
    """A lock that the pytest-xdist workers of one run share: a file in the run's temporary
    directory, above each worker's own."""
    lock = ProcessLock(tmp_path_factory.getbasetemp().parent / "neo4j-server.lock")
    yield lock
    lock.close()


def _alone_on_a_shared_server(request: pytest.FixtureRequest) -> AbstractContextManager[object]:
    """Held from the wipe of a shared Neo4j server until the test using it is done, so no
    other worker wipes or writes the database under it. A worker's own container, the SQLite
    store and a run in one process need none."""
    if request.param != "neo4j" or not _shared_by_workers():
        return nullcontext()
    lock: ProcessLock = request.getfixturevalue("one_test_at_a_time")
    return lock


def _shared_by_workers() -> bool:
    return bool(os.environ.get("DATORA_TEST_NEO4J_URI")) and "PYTEST_XDIST_WORKER" in os.environ


def _empty_store_opener(request: pytest.FixtureRequest, directory: Path) -> StoreOpener:
    if request.param == "sqlite":
        from datora_graph.store.sqlite import SqliteStore

        path = directory / "conformance.db"
        return StoreOpener(lambda: SqliteStore(path))
    server: Neo4jServer = request.getfixturevalue("neo4j_server")
    _wipe_neo4j(server)
    return StoreOpener(lambda: _open_neo4j_store(server))


@pytest.fixture
def store(store_opener: StoreOpener) -> GraphStore:
    """A fresh, empty store of the adapter under test."""
    return store_opener.open()


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """The Neo4j server the suite runs against, started once per session when it is a container."""
    try:
        importlib.import_module("datora_graph.store.neo4j")
    except ModuleNotFoundError as error:
        if error.name != "datora_graph.store.neo4j":
            raise
        pytest.skip(NEO4J_NOT_IMPLEMENTED)
    uri = os.environ.get("DATORA_TEST_NEO4J_URI")
    if uri:
        server = Neo4jServer(
            uri,
            os.environ.get("DATORA_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("DATORA_TEST_NEO4J_PASSWORD", ""),
            os.environ.get("DATORA_TEST_NEO4J_DATABASE", "neo4j"),
        )
        _check_answers(server)
        yield server
        return
    if not _docker_answers():
        pytest.skip(NO_NEO4J_SERVER)
    from testcontainers.community.neo4j import Neo4jContainer

    with Neo4jContainer(NEO4J_IMAGE, password="conformance-password") as container:
        yield Neo4jServer(
            container.get_connection_url(), container.username, container.password, "neo4j"
        )


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def _check_answers(server: Neo4jServer) -> None:
    """Fail once, with the reason, rather than once per test after the driver's retries."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    try:
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            driver.verify_connectivity()
    except (Neo4jError, DriverError) as error:
        pytest.fail(
            f"DATORA_TEST_NEO4J_URI={server.uri} does not answer as user {server.user!r}: {error}",
            pytrace=False,
        )


def _wipe_neo4j(server: Neo4jServer) -> None:
    """Delete every node and relationship; indexes and constraints stay, as a store keeps them."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=server.database)


def _open_neo4j_store(server: Neo4jServer) -> GraphStore:
    from datora_graph.config import Settings
    from datora_graph.store import open_store

    settings = Settings(
        store="neo4j",
        neo4j_uri=server.uri,
        neo4j_user=server.user,
        neo4j_password=server.password,
        neo4j_database=server.database,
    )
    return open_store(settings)


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> World:
    """The live world of a replay agreement test (test_replay_*), on this test's store."""
    return World(store, tmp_path)
