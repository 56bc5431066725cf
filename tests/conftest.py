"""Fixtures shared by the API and end-to-end tests: temporary databases and a real HTTP server.

`server` is the URL of a real uvicorn server on a free loopback port, over a fresh SQLite file;
`serve_app` serves any app the same way, for tests that need their own settings or service.
The server checks API keys as in production: `admin_token` is a real `admin` key created in
the store before the server starts, and `client` sends it (`auth_headers(store)` makes one for
a store a test opens itself).
"""

from __future__ import annotations

import itertools
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from datora_graph.access_service import create_key
from datora_graph.api import create_app
from datora_graph.config import Settings
from datora_graph.store import open_store
from datora_graph.store.base import GraphStore

TEST_MAX_BATCH_ITEMS = 50
TEST_MAX_BODY_BYTES = 64 * 1024
"""Small limits, so tests can exceed them with small requests."""

ServeApp = Callable[[FastAPI], AbstractContextManager[str]]

hypothesis_settings.register_profile(
    "datora", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("datora")
"""Property tests are judged by what they find, not by how fast one example runs: on a busy
2-core CI machine an example's time varies too much for hypothesis's per-example deadline."""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "datora.db"


def suite_settings(db_path: Path) -> Settings:
    """The settings of the suite's servers: a store at `db_path`, small limits."""
    return Settings(
        db=db_path,
        max_batch_items=TEST_MAX_BATCH_ITEMS,
        max_body_bytes=TEST_MAX_BODY_BYTES,
        ingest_batch_size=1000,
    )


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return suite_settings(db_path)


def unique(name: str) -> str:
    """`name` with a suffix no other test writes: tests sharing a module's server keep
    their records apart by it."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


_phone_lines = itertools.count()


def unique_phone() -> str:
    """A valid phone number no other test of this process writes: a phone is only digits, so
    `unique` cannot mark it, and a module's server lives in its test process (each pytest-xdist
    worker has its own). Good for 10,000 numbers a process."""
    return f"+1415555{next(_phone_lines):04d}"


@contextmanager
def _serve(app: FastAPI) -> Iterator[str]:
    """Run `app` with uvicorn in a background thread until the block ends; yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the test server stopped while starting; see its log")
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start within 15 s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def serve_app() -> ServeApp:
    return _serve


def auth_headers(
    store: GraphStore, name: str = "test-admin", scope: str = "admin"
) -> dict[str, str]:
    """The header of a new key with one scope, created in `store` as `datora keys create` does."""
    issued = create_key(store, name, [scope], actor="cli:test")
    return {"Authorization": f"Bearer {issued.token}"}


@contextmanager
def served_as_admin(settings: Settings, key: str = "test-admin") -> Iterator[httpx.Client]:
    """A server whose app opens the store at `settings.db`, and a client of it with a new
    admin key named `key`: for the tests of a module that share one server."""
    store = open_store(settings)
    try:
        headers = auth_headers(store, key)
    finally:
        store.close()
    with (
        _serve(create_app(settings)) as url,
        httpx.Client(base_url=url, timeout=30, headers=headers) as client,
    ):
        yield client


def lose_a_table(db_path: Path, table: str = "profiles") -> None:
    """Damage the store at `db_path` as a bad restore or a hand edit would: `table` is renamed
    away, so the next read of it fails in a way no request could cause."""
    with sqlite3.connect(db_path) as damaged:
        damaged.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")
    damaged.close()


def damage_table(db_path: Path, table: str = "profiles") -> None:
    """Damage the closed store at `db_path` as a disk fault would: the first page of `table`
    is overwritten with noise, so SQLite reports the file malformed when a read reaches it."""
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        page = root.fetchone()[0]
    db.close()
    with db_path.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(b"\xff" * page_size)


@pytest.fixture(scope="module")
def module_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """One server for a whole module, with the suite's settings, and an admin client of it.

    A server per test costs about half a second (most of it the server's own start and
    stop), which the modules of many small API tests paid hundreds of times. Tests on the
    shared server write records under IDs of their own (`unique`) and assert only on those;
    a test that counts everything the store holds keeps a server of its own (`client`).
    """
    settings = suite_settings(tmp_path_factory.mktemp("module") / "datora.db")
    with served_as_admin(settings) as client:
        yield client


@pytest.fixture
def admin_token(settings: Settings) -> str:
    """The token of an `admin` key in the store at `settings.db`."""
    store = open_store(settings)
    try:
        return auth_headers(store)["Authorization"].removeprefix("Bearer ")
    finally:
        store.close()


@pytest.fixture
def server(settings: Settings, admin_token: str) -> Iterator[str]:
    """A server whose app opens its own store from `settings`, as in production."""
    with _serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def client(server: str, admin_token: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=server, timeout=30, headers=headers) as http:
        yield http
