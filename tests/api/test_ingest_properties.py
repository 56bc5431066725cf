"""Nothing a client sends over REST is silently dropped: a property over random batches,
against a real server.

Each batch mixes well-formed, odd and repeated items (the wire strategies of
tests/unit/domain/test_wire_properties.py). Every item gets a result at its index:
accepted, a duplicate of an ID the store or the batch had already, or rejected naming the field
and the reason the parser gives in-process; every rejected item is then listed by
`GET /v1/rejected` with that field and reason (once: the same item sent again is the same
rejection), and every accepted one is counted in the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.conftest import TEST_MAX_BATCH_ITEMS, served_as_admin
from tests.unit.domain.test_wire_properties import events, observations

from datora_graph.config import Settings
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import parse_event, parse_observation

REGISTRY = IdentifierRegistry.default()
KINDS = {
    "observations": ("observation", observations, parse_observation),
    "events": ("event", events, parse_event),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Settings]]:
    """One server for every example: its store keeps what each batch left, so later batches
    meet IDs earlier ones were accepted under."""
    config = Settings(
        db=Path(tmp_path_factory.mktemp("ingest")) / "datora.db",
        max_batch_items=TEST_MAX_BATCH_ITEMS,
    )
    with served_as_admin(config) as client:
        yield client, config


@pytest.mark.parametrize("path", sorted(KINDS))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_item_of_a_batch_is_answered_and_every_rejection_listed(
    api: tuple[httpx.Client, Settings], path: str, data: st.DataObject
) -> None:
    client, config = api
    kind, items, parse = KINDS[path]
    batch = data.draw(st.lists(items, min_size=1, max_size=6), label="batch")
    before = rejected(client, kind)
    stored = client.get("/v1/stats").json()[path]

    response = client.post(f"/v1/{path}", json={path: batch})
    refusals = [refusal(parse, item, config) for item in batch]
    newly: list[tuple[str, str]] = []
    for item, refused in zip(batch, refusals, strict=True):
        # The same item sent again (its fields in any order) is the same rejection, listed once.
        payload = (kind, json.dumps(item, sort_keys=True))
        if refused is not None and payload not in SEEN:
            SEEN.add(payload)
            newly.append((refused.field, refused.reason))

    assert response.status_code == 200, response.text
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    counted = {s: sum(r["status"] == s for r in results) for s in ("accepted", "duplicate")}
    assert (body["accepted"], body["duplicates"]) == (counted["accepted"], counted["duplicate"])
    assert body["rejected"] == len(batch) - sum(counted.values())
    for item, result, refused in zip(batch, results, refusals, strict=True):
        event(result["status"])
        if refused is None:
            assert result["status"] in ("accepted", "duplicate"), (item, result)
        else:
            assert (result["status"], result["field"]) == ("rejected", refused.field), item
            assert same_reason(result["reason"], refused.reason), item
    listed = rejected(client, kind)[len(before) :]
    assert len(listed) == len(newly), "every rejection is listed once"
    assert all(
        field == want_field and same_reason(reason, want)
        for (field, reason), (want_field, want) in zip(listed, newly, strict=True)
    ), "in order, with its field and reason"
    assert client.get("/v1/stats").json()[path] == stored + body["accepted"], "accepted, stored"


def same_reason(got: str, wanted: str) -> bool:
    """Alike but for the server's clock, which a time running ahead of it is told against."""
    return got == wanted or ("ahead" in got and "ahead" in wanted)


SEEN: set[tuple[str, str]] = set()
"""The items the server has rejected, by kind and text: its store outlives an example."""


def refusal(parse: Any, item: Any, config: Settings) -> InvalidInput | None:
    """Why the parser refuses `item` in-process, as the server received it; None if it
    accepts it."""
    try:
        parse(item, REGISTRY, latest=config.latest_accepted_time())
    except InvalidInput as refused:
        return refused
    return None


def rejected(api: httpx.Client, kind: str) -> list[tuple[str, str]]:
    """(field, reason) of every rejected item of `kind`, oldest first, by pages."""
    found: list[tuple[str, str]] = []
    after = 0
    while True:
        page = api.get("/v1/rejected", params={"kind": kind, "after": after, "limit": 1000})
        assert page.status_code == 200, page.text
        body: dict[str, Any] = page.json()
        found.extend((item["field"], item["reason"]) for item in body["items"])
        if body.get("next_after") is None:
            return found
        after = body["next_after"]
