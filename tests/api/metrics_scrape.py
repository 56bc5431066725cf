"""Reading `/metrics` in tests: a scrape as a dictionary, and what grew between two."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Labels = tuple[tuple[str, str], ...]


def scrape(client: httpx.Client) -> dict[tuple[str, Labels], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def samples(text: str) -> dict[tuple[str, Labels], float]:
    """Each sample of a scrape's text, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def grew(
    before: dict[tuple[str, Labels], float], after: dict[tuple[str, Labels], float]
) -> dict[tuple[str, Labels], float]:
    """Datora's counts that changed between two scrapes, by how much (the scrape's own
    request left out; the process's CPU, memory and garbage collection change anyway, and so
    do the store's counts, gauges of what it holds)."""
    return {
        key: value - before.get(key, 0.0)
        for key, value in after.items()
        if value != before.get(key, 0.0)
        and key[0].startswith("datora_")
        and not key[0].endswith("_created")
        and not (key[0].startswith("datora_store_") and not key[0].endswith("_total"))
        and ("route", "/metrics") not in key[1]
    }


def requests(method: str, route: str, status: int) -> tuple[str, Labels]:
    labels = (("method", method), ("route", route), ("status", str(status)))
    return "datora_http_requests_total", labels


def timed(method: str, route: str) -> tuple[str, Labels]:
    return "datora_http_request_duration_seconds_count", (("method", method), ("route", route))


def records(kind: str, outcome: str) -> tuple[str, Labels]:
    return "datora_records_total", (("kind", kind), ("outcome", outcome))
