"""`datora serve`: the REST API (registered by `cli`); with `--workers N`, the app in N
processes over one store, sharing one port.

One Python process runs on one core at a time, and a GraphQL answer is CPU work (a journey
page is ~400 fields), so N processes serve about N times the reads on N cores. The workers
are uvicorn's, each opening the store itself; what they share is the store:
- on the embedded store, writes take turns across processes under the writer lock beside
  the database file (`store/process_lock.py`), so any worker may ingest, split or erase;
  reads go to the file directly (WAL: readers never wait for the writer);
- on Neo4j, every worker is a client of the same server, and writes take turns under the
  store's writer lock, a transaction holding a node locked (`store/neo4j_writer_lock.py`).

The store is opened once here first, so that creating it, bringing an older file's schema
up to date and recounting traits after a configuration change happen once, not in N
processes at the same moment.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from datora_graph.cli_common import err, fail, open_service, settings_of
from datora_graph.cli_options import DbOption
from datora_graph.config import Settings
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService

APP_FACTORY = "datora_graph.api:create_app"
TAKEN_PORT_HINT = "If another program (another datora serve?) has the port, choose another"


def listen_problem(host: str, port: int) -> str | None:
    """Why this process cannot listen on host:port (`cannot listen on ...: Address already in
    use`), or None. Checked before a service is announced (`datora serve`, `scripts/serve`),
    where uvicorn would find out only after; it binds the way uvicorn does, SO_REUSEADDR."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def prepare_for_workers(service: IdentityService) -> None:
    """Everything opening the store may write, done before the workers open it."""
    SegmentService(service.store, service.settings)  # recounts traits if their settings changed


def worker_environment(settings: Settings) -> dict[str, str]:
    """What the workers need that the command line gave (`--db`, `--dev`); every other
    setting reaches them as it reached this process, from the environment."""
    environment = {"DATORA_DB": str(settings.db)}
    if settings.auth_dev_mode:
        environment["DATORA_AUTH_DEV_MODE"] = "1"
    return environment


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run uvicorn's `workers` processes over the app factory until stopped (Ctrl+C)."""
    import uvicorn

    from datora_graph.api.log_indexer import indexing_beside
    from datora_graph.api.server_log import server_log_config

    os.environ.update(worker_environment(settings))
    with metrics_shared_by_workers(), indexing_beside(settings, worker_environment(settings)):
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=server_log_config(settings.log_level, settings.log_format),
            log_level=settings.log_level,
            access_log=settings.access_log,
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        )


MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus_client's multiprocess mode: where each process writes its metrics."""


@contextmanager
def metrics_shared_by_workers() -> Iterator[None]:
    """The workers write their metrics to files in a new directory, removed when they stop,
    so that `/metrics` answers for all of them (api/metrics.py); one `PROMETHEUS_MULTIPROC_DIR`
    set already is used as it is (emptying it between runs is then its owner's part)."""
    if os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="datora-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR]


# -- serve ------------------------------------------------------------------------------------
def _store_name(settings: Settings) -> str:
    if settings.store == "neo4j":
        return f"Neo4j at {settings.neo4j_uri} (database {settings.neo4j_database})"
    return str(settings.db)


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="[default: $DATORA_HOST, else 127.0.0.1]", show_default=False)
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="[default: $DATORA_PORT, else 8000]", show_default=False)
    ] = None,
    db: DbOption = None,
    dev: Annotated[
        bool, typer.Option("--dev", help="Development mode: NO authentication (see README)")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes, e.g. one per core [default: $DATORA_WORKERS, else 1]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the REST API (interactive docs at /docs); every call needs an API key."""
    import uvicorn

    from datora_graph.api import create_app
    from datora_graph.api.log_indexer import indexing_beside
    from datora_graph.api.server_log import configure_server_log

    settings = settings_of(ctx, db)
    if dev:
        settings = settings.model_copy(update={"auth_dev_mode": True})
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    _check_can_listen(host, port)
    _announce_access(settings)
    with open_service(settings) as service:
        processes = f", {workers} processes" if workers > 1 else ""
        err.print(
            f"Datora Graph serving {escape(_store_name(settings))} on http://{host}:{port}"
            f"{processes} (API docs: http://{host}:{port}/docs)",
            soft_wrap=True,
        )
        if workers == 1:
            log_config = configure_server_log(settings.log_level, settings.log_format)
            with indexing_beside(settings, worker_environment(settings)):
                uvicorn.run(
                    create_app(settings, service),
                    host=host,
                    port=port,
                    log_config=log_config,
                    log_level=settings.log_level,
                    access_log=settings.access_log,
                    timeout_graceful_shutdown=settings.shutdown_grace_seconds,
                )
            return
        prepare_for_workers(service)
    serve_workers(settings, host, port, workers)


def _check_can_listen(host: str, port: int) -> None:
    problem = listen_problem(host, port)
    if problem is not None:
        fail(f"{problem}. {TAKEN_PORT_HINT} with --port or DATORA_PORT.")


def _announce_access(settings: Settings) -> None:
    from datora_graph.api.auth import DEV_MODE_WARNING

    if settings.auth_dev_mode:
        err.print(Panel(Text(DEV_MODE_WARNING), title="WARNING", style="bold red"))
    else:
        err.print(
            "Every call needs an API key; create one with `datora keys create NAME --scope read`"
        )
