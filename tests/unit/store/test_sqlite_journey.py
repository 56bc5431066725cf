"""Journey pages on the embedded store, against a brute-force answer: paging with any filters
visits every matching event of the profile's identifiers exactly once, oldest first, however
the events are spread over the identifiers and whatever the page size."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from datora_graph.config import Settings
from datora_graph.domain.changeset import Changeset
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.domain.records import Event
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore

T0 = datetime(2026, 3, 1, tzinfo=UTC)
KEYS = ("email:ann@acme.io", "cookie_id:c-1", "device_id:d-1", "phone:+14155550101")
OTHER = "email:bob@acme.io"
TYPES = ("page_view", "purchase", "email_open")

event_specs = st.lists(
    st.tuples(
        st.lists(st.sampled_from((*KEYS, OTHER)), min_size=1, max_size=3, unique=True),
        st.integers(0, 40),
        st.sampled_from(TYPES),
    ),
    max_size=40,
)
queries = st.tuples(
    st.integers(1, 7),
    st.frozensets(st.sampled_from(TYPES), max_size=2),
    st.none() | st.integers(0, 40),
    st.none() | st.integers(0, 40),
)


@settings(max_examples=60)
@given(specs=event_specs, query=queries)
def test_paging_visits_every_matching_event_once_in_order(
    specs: list[tuple[list[str], int, str]],
    query: tuple[int, frozenset[str], int | None, int | None],
) -> None:
    first, types, since, until = query
    events = [
        Event(
            f"ev-{n:03d}",
            type_,
            T0 + timedelta(minutes=minute),
            "web",
            tuple(Identifier.from_key(k) for k in keys),
            {},
        )
        for n, (keys, minute, type_) in enumerate(specs)
    ]
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "journey.db")
        try:
            ann = _profile_of(store, KEYS, "o-ann")
            assert _profile_of(store, (OTHER,), "o-bob") != ann
            store.commit(Changeset(events=events))
            since_at = T0 + timedelta(minutes=since) if since is not None else None
            until_at = T0 + timedelta(minutes=until) if until is not None else None
            seen: list[str] = []
            after = None
            for _ in range(len(events) + 2):
                page = store.journey(ann, JourneyQuery(first, after, types, since_at, until_at))
                seen += [e.id for e in page.events]
                if not page.has_next_page:
                    break
                after = page.end_cursor
        finally:
            store.close()

    expected = sorted(
        (e for e in events if {i.key for i in e.identifiers} & set(KEYS)),
        key=lambda e: (e.occurred_at, e.id),
    )
    expected = [
        e
        for e in expected
        if (not types or e.type in types)
        and (since_at is None or e.occurred_at >= since_at)
        and (until_at is None or e.occurred_at < until_at)
    ]
    assert seen == [e.id for e in expected]


def _profile_of(store: SqliteStore, keys: tuple[str, ...], observation_id: str) -> str:
    """The profile one observation of `keys` makes, through the real service."""
    identifiers = [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys]
    report = IdentityService(store, Settings()).ingest_observations(
        [
            {
                "id": observation_id,
                "source": "crm",
                "observed_at": T0.isoformat(),
                "identifiers": identifiers,
            }
        ]
    )
    assert report.accepted == 1
    return store.profile_ids_for_identifiers([keys[0]])[keys[0]]
