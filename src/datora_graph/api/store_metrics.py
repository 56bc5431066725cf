"""The store's own counts at `/metrics`: profiles, identifiers by type, held links, open review
items, the logs' sizes, so an operator graphs the identity graph's growth and the stewards'
backlog beside the request rates.

Counting reads whole tables (`count(*)` on the embedded store), so a scrape every few seconds
must not count each time: a count is kept for `metrics_store_seconds` and scrapes in between
report it, with its age. The count is the store's, not the process's: under
`datora serve --workers N` whichever worker answers reports the same store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from datora_graph.api.damage_seen import note_damage
from datora_graph.api.incidents import new_incident
from datora_graph.domain.errors import DatoraError
from datora_graph.domain.profiles import StoreStats
from datora_graph.log_index import unindexed
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite_damage import damage_in, damaged_store

logger = logging.getLogger(__name__)

PREFIX = "datora_store_"


@dataclass(frozen=True, slots=True)
class StoreCount:
    stats: StoreStats | None
    """None when the store could not be counted (the log says why)."""
    taken_at: float
    """`time.monotonic()` when the count began."""
    seconds: float
    """How long the count took."""
    unindexed: int = 0
    """Observations logged past the log index's position."""


class StoreCounts:
    """A prometheus_client collector of the store's counts, counting at most once every
    `every` seconds (0: at every scrape); concurrent scrapes share one count."""

    def __init__(
        self,
        store: Callable[[], GraphStore | None],
        every: float,
        store_file: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._every = every
        self._store_file = store_file
        self._clock = clock
        self._last: StoreCount | None = None
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        count = self._current()
        if count is None:  # the service has not started, or has stopped
            return
        yield _gauge(
            "up",
            "1 when the store was counted, 0 when it could not be (the log says why).",
            1 if count.stats is not None else 0,
        )
        yield _gauge(
            "count_age_seconds",
            "Seconds since the store's counts were taken; a scrape counts again once they "
            f"are {self._every:g} s old (DATORA_METRICS_STORE_SECONDS).",
            max(0.0, self._clock() - count.taken_at),
        )
        yield _gauge("count_duration_seconds", "How long the store took to count.", count.seconds)
        if count.stats is not None:
            yield from _counts(count.stats)
            yield _gauge(
                "unindexed_observations",
                "Observations logged past the log index, which a split, an erasure or an access "
                "request indexes first; datora serve indexes them every DATORA_LOG_INDEX_SECONDS.",
                count.unindexed,
            )

    def _current(self) -> StoreCount | None:
        store = self._store()
        if store is None:
            return None
        with self._lock:
            started = self._clock()
            if self._last is None or started - self._last.taken_at >= self._every:
                counted = self._count(store)
                stats, unindexed = counted if counted is not None else (None, 0)
                self._last = StoreCount(stats, started, self._clock() - started, unindexed)
            return self._last

    def _count(self, store: GraphStore) -> tuple[StoreStats, int] | None:
        """The store's counts and how many logged observations the log index has yet to
        index; None when they could not be read (logged)."""
        try:
            return store.stats(), unindexed(store)
        except DatoraError as error:  # the store unreachable, or past its read time limit
            logger.warning(
                "the store could not be counted for /metrics (datora_store_up is 0): %s", error
            )
        except Exception as error:
            incident = new_incident()
            damage = damage_in(error)
            if damage is None:
                logger.error(
                    "incident %s: counting the store for /metrics failed (datora_store_up is 0)",
                    incident,
                    exc_info=error,
                )
            else:
                note_damage(self._store_file, incident)
                logger.error(
                    "incident %s: counting the store for /metrics failed: %s",
                    incident,
                    damaged_store(self._store_file, damage),
                )
        return None


def _counts(stats: StoreStats) -> Iterator[Metric]:
    yield _gauge("profiles", "Golden profiles.", stats.profiles)
    identifiers = GaugeMetricFamily(
        f"{PREFIX}identifiers",
        "Identifiers in the graph, by type (junk ones included).",
        labels=["type"],
    )
    for type_, n in sorted(stats.identifiers_by_type.items()):
        identifiers.add_metric([type_], n)
    yield identifiers
    yield _gauge("held_links", "Links a guard held apart, kept for review.", stats.held_links)
    yield _gauge(
        "open_review_items", "Review items waiting for a data steward.", stats.open_review_items
    )
    yield _gauge("observations", "Observations in the log.", stats.observations)
    yield _gauge("events", "Events logged.", stats.events)
    yield _gauge("rejected_records", "Rejected records kept (GET /v1/rejected).", stats.rejections)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}{name}", documentation, value=value)
