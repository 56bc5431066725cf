"""The store's counts at GET /metrics: the same as GET /v1/stats, over real HTTP, and counted
at most once per `metrics_store_seconds` (a clock the test moves decides when)."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from tests.conftest import damage_table, served_as_admin, suite_settings

from datora_graph.api.damage_seen import damage_seen
from datora_graph.api.store_metrics import StoreCounts
from datora_graph.config import Settings
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_damage import WHAT_TO_DO

from .metrics_scrape import Labels, samples, scrape
from .payloads import event, obs

README = Path(__file__).resolve().parents[2] / "README.md"
Scrape = dict[tuple[str, Labels], float]
PROFILE_BTREES = "SELECT name FROM sqlite_master WHERE tbl_name = 'profiles' AND rootpage > 0"


def store_counts(scraped: Scrape) -> dict[str, object]:
    """The store's gauges of a scrape, in the shape of GET /v1/stats."""

    def gauge(name: str) -> int:
        return int(scraped[(f"datora_store_{name}", ())])

    by_type = {
        dict(labels)["type"]: int(value)
        for (name, labels), value in scraped.items()
        if name == "datora_store_identifiers"
    }
    return {
        "observations": gauge("observations"),
        "events": gauge("events"),
        "rejections": gauge("rejected_records"),
        "identifiers": sum(by_type.values()),
        "profiles": gauge("profiles"),
        "held_links": gauge("held_links"),
        "open_review_items": gauge("open_review_items"),
        "identifiers_by_type": by_type,
    }


@pytest.fixture
def counted_every_scrape(tmp_path: Path) -> Iterator[httpx.Client]:
    settings = suite_settings(tmp_path / "datora.db").model_copy(
        update={"metrics_store_seconds": 0.0}
    )
    with served_as_admin(settings) as client:
        yield client


def test_the_store_counts_at_metrics_are_those_of_v1_stats(
    counted_every_scrape: httpx.Client,
) -> None:
    client = counted_every_scrape
    empty = scrape(client)
    batch = [
        obs("o1", "email:ann@acme.io", "crm_id:C1", "device_id:d-1"),
        obs("o2", "email:ann@acme.io", "crm_id:C2"),  # a second CRM ID: held apart
        obs("o3", "phone:+14155550100", "email:bob@acme.io"),
        {"id": "o4", "source": "crm"},  # rejected: no identifiers
    ]
    assert client.post("/v1/observations", json={"observations": batch}).status_code == 200
    sent = [event("e1", "page_view", "email:ann@acme.io")]
    assert client.post("/v1/events", json={"events": sent}).status_code == 200

    scraped = scrape(client)
    stats = client.get("/v1/stats").json()

    assert store_counts(empty)["profiles"] == 0
    assert store_counts(scraped) == stats
    assert (stats["held_links"], stats["rejections"], stats["events"]) == (1, 1, 1)
    assert stats["identifiers_by_type"] == {"crm_id": 2, "device_id": 1, "email": 2, "phone": 1}
    assert scraped[("datora_store_up", ())] == 1
    assert scraped[("datora_store_count_age_seconds", ())] < 5


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_count_is_kept_for_the_configured_seconds_and_reported_with_its_age(
    settings: Settings,
) -> None:
    store, clock = SqliteStore(settings.db), Clock()
    registry = CollectorRegistry()
    registry.register(StoreCounts(lambda: store, 60, settings.db, clock))

    def profiles_and_age() -> tuple[float, float]:
        scraped = samples(generate_latest(registry).decode())
        return (
            scraped[("datora_store_profiles", ())],
            scraped[("datora_store_count_age_seconds", ())],
        )

    try:
        service = IdentityService(store, settings)
        first = profiles_and_age()
        service.ingest_observations([obs("o1", "email:ann@acme.io")])
        clock.now += 59.5
        kept = profiles_and_age()
        clock.now += 0.5
        counted_again = profiles_and_age()
    finally:
        store.close()

    assert first == (0, 0)
    assert kept == (0, 59.5)
    assert counted_again == (1, 0)


def test_no_store_counts_before_the_service_starts_or_after_it_stops(settings: Settings) -> None:
    registry = CollectorRegistry()
    registry.register(StoreCounts(lambda: None, 0, settings.db))

    assert "datora_store" not in generate_latest(registry).decode()


def test_the_readme_lists_every_datora_metric_the_service_reports(
    counted_every_scrape: httpx.Client,
) -> None:
    one = [obs("o1", "email:ann@acme.io")]  # identifiers are reported by type: one at least
    assert counted_every_scrape.post("/v1/observations", json={"observations": one}).is_success
    section = README.read_text().split("### Metrics", 1)[1].split("\n#", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`(datora_\w+)`", cell)}
    reported = {
        re.sub(r"_(bucket|count|sum)$", "", name)
        for name, _ in scrape(counted_every_scrape)
        if name.startswith("datora_") and not name.endswith("_created")
    }

    assert documented == reported


def test_a_closed_store_is_reported_down_without_counts(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = SqliteStore(settings.db)
    store.close()
    registry = CollectorRegistry()
    registry.register(StoreCounts(lambda: store, 0, settings.db))

    with caplog.at_level(logging.WARNING, logger="datora_graph"):
        scraped = samples(generate_latest(registry).decode())

    assert scraped[("datora_store_up", ())] == 0
    assert ("datora_store_profiles", ()) not in scraped
    assert [r.getMessage() for r in caplog.records] == [
        "the store could not be counted for /metrics (datora_store_up is 0): the SQLite store "
        f"at {settings.db} is closed"
    ]


def test_a_count_that_finds_the_file_damaged_says_so_and_the_server_is_not_ready(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = SqliteStore(settings.db)
    try:
        IdentityService(store, settings).ingest_observations([obs("o1", "email:ann@acme.io")])
    finally:
        store.close()
    with sqlite3.connect(settings.db) as db:
        btrees = [name for (name,) in db.execute(PROFILE_BTREES)]
    db.close()
    for name in btrees:  # a count may read the table or any of its indexes
        damage_table(settings.db, name)
    store = SqliteStore(settings.db)
    registry = CollectorRegistry()
    registry.register(StoreCounts(lambda: store, 0, settings.db))
    try:
        with caplog.at_level(logging.ERROR, logger="datora_graph"):
            scraped = samples(generate_latest(registry).decode())
    finally:
        store.close()

    assert scraped[("datora_store_up", ())] == 0
    seen = damage_seen(settings.db)
    assert seen is not None
    assert [r.getMessage() for r in caplog.records] == [
        f"incident {seen.incident}: counting the store for /metrics failed: the SQLite store "
        f"at {settings.db} is damaged (database disk image is malformed): {WHAT_TO_DO}"
    ]
