"""Prometheus metrics at `GET /metrics`: what an operator graphs and alerts on.

Requests are counted and timed by route template (`/v1/profiles/{profile_id}`), never by the
path a client sent, which may hold an e-mail address, and a path no route matches counts as
`unmatched`; the records ingested are counted by kind and outcome. Nothing personal is in a
label, so the endpoint is open like the health probes.

`datora serve --workers N` runs N processes: each writes its counts to files in a directory
the command makes (prometheus_client's multiprocess mode, `PROMETHEUS_MULTIPROC_DIR`), and
whichever worker answers `/metrics` sums every worker's, so a scrape sees the whole service.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from datora_graph.api.http_middleware import HttpMiddleware
from datora_graph.api.paths import GRAPHQL_PATH, is_graphql
from datora_graph.domain.records import RecordKind
from datora_graph.services import IngestReport

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other a client makes up counts as `other` (one label each)."""

REQUESTS = Counter(
    "datora_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "datora_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RECORDS = Counter(
    "datora_records",
    "Observations and events sent to be ingested (REST and GraphQL), by kind and outcome: "
    "accepted, duplicate (an ID already logged) or rejected (listed at /v1/rejected).",
    ["kind", "outcome"],
)
STORE_DAMAGE = Counter(
    "datora_store_damage",
    "Requests that found the store's database file damaged (each answered 503 with an "
    "incident ID): any at all means the store needs restoring (README, Backups).",
)


def count_records(kind: RecordKind, report: IngestReport) -> None:
    counted = RECORDS.labels
    counted(kind, "accepted").inc(report.accepted)
    counted(kind, "duplicate").inc(report.duplicates)
    counted(kind, "rejected").inc(report.rejected)


def count_store_damage() -> None:
    STORE_DAMAGE.inc()


def metrics_answer(*also: Collector) -> Response:
    """The text Prometheus scrapes: this process's metrics, or every worker's, and those of
    `also` (the store's counts, the same whichever worker answers)."""
    registry = REGISTRY
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    others = CollectorRegistry()
    for collector in also:
        others.register(collector)
    text = generate_latest(registry) + generate_latest(others)
    return Response(text, media_type=CONTENT_TYPE_LATEST)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (FastAPI leaves it in the scope), `/graphql`
    (whose route FastAPI records relative to the prefix it is included under), or
    `unmatched`: never the path itself."""
    if is_graphql(scope["path"]):
        return GRAPHQL_PATH
    template = getattr(scope.get("route"), "path", "")
    return template if isinstance(template, str) and template.startswith("/") else UNMATCHED


class CountRequests(HttpMiddleware):
    """The outermost layer of the app: counts and times every answer, errors included."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # the answer of an exception that escapes every handler

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            template = route_template(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUESTS.labels(method, template, str(status)).inc()
            DURATION.labels(method, template).observe(time.perf_counter() - started)
