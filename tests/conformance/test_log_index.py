"""The index from identifier to logged observation, on every store: filled behind the log,
read by key, made again by a rebuild (under the settings of the rebuild), kept across a
reopen, emptied of erased identifiers."""

from __future__ import annotations

from typing import Any

from datora_graph.config import Settings
from datora_graph.erasure_service import ErasureService
from datora_graph.log_index import LogIndex
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

from .conftest import StoreOpener

ANN, BOB, COOKIE = "email:ann@acme.io", "email:bob@acme.io", "cookie_id:c-1"


def obs(item_id: str, minute: int, *keys: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "web",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
    }


def service(store: GraphStore) -> IdentityService:
    return IdentityService(store, Settings())


def test_the_index_follows_the_log_and_answers_by_key(store: GraphStore) -> None:
    identity = service(store)
    index = LogIndex(store, identity.registry)
    assert (store.log_index_position(), index.pending()) == (0, 0)
    assert store.logged_observations_with([ANN]) == []
    identity.ingest_observations(
        [obs("o1", 1, "email:Ann@ACME.io", COOKIE), obs("o2", 2, BOB), obs("o3", 3, ANN)]
    )
    assert index.pending() == 3
    seen: list[int] = []

    assert index.catch_up(seen.append) == 3

    assert seen == [3]
    assert store.log_index_position() == store.last_sequence() == 3
    log = dict(store.read_log(0, 10))
    assert store.logged_observations_with([ANN]) == [(1, log[1]), (3, log[3])]
    assert store.logged_observations_with([COOKIE, BOB]) == [(1, log[1]), (2, log[2])]
    assert store.logged_observations_with(["email:nobody@acme.io"]) == []
    assert index.catch_up() == 0, "nothing new to index"

    identity.ingest_observations([obs("o4", 4, BOB, ANN)])
    assert index.observations_with([ANN]) == [
        (1, log[1]),
        (3, log[3]),
        (4, dict(store.read_log(3, 1))[4]),
    ]
    assert store.log_index_position() == 4


def test_indexing_again_changes_nothing_and_a_rebuild_under_the_same_settings_indexes_the_same(
    store_opener: StoreOpener,
) -> None:
    store = store_opener.open()
    identity = service(store)
    identity.ingest_observations([obs("o1", 1, ANN, COOKIE), obs("o2", 2, BOB)])
    LogIndex(store, identity.registry).catch_up()
    before = store.logged_observations_with([ANN, BOB])

    assert store.index_log([(ANN, 1), (BOB, 2)], 0, 2)
    identity.rebuild()
    store = store_opener.reopen(store)

    assert store.log_index_position() == 2
    assert store.logged_observations_with([ANN, BOB]) == before
    assert [seq for seq, _ in before] == [1, 2]


def test_a_page_read_before_an_erasure_does_not_put_the_erased_keys_back(
    store: GraphStore,
) -> None:
    """Two catch-ups at once (a split's and an erasure's, say): the slower one read its page
    before the erasure, which indexed the page itself and then removed Bob's keys from it (a
    CRM number per profile keeps Bob's and Cy's apart, so the record stays, without his)."""
    bob, cy = "crm_id:C-bob", "crm_id:C-cy"
    identity = service(store)
    index = LogIndex(store, identity.registry)
    identity.ingest_observations([obs("o1", 1, bob, cy), obs("o2", 2, cy)])
    log = store.read_log(0, 10)
    stale = sorted((key, seq) for seq, payload in log for key in index.keys_of(payload))

    ErasureService(identity).erase_profile(bob, reason="GDPR 121", actor="dpo")
    assert store.index_log(stale, 0, 2)

    assert store.logged_observations_with([bob]) == []
    assert store.log_index_position() == 2
    identity.ingest_observations([obs("o3", 3, cy, COOKIE)])
    assert [seq for seq, _ in index.observations_with([cy])] == [1, 2, 3]


def test_a_page_read_before_a_rebuild_reset_the_index_is_not_indexed_over_the_gap(
    store: GraphStore,
) -> None:
    """The server's indexing process read the page after position 2, then a rebuild forgot the
    index: writing the page would mark positions 1 and 2 indexed though nothing indexes them,
    and an erasure would miss them. The page is refused; the next catch-up starts over."""
    identity = service(store)
    index = LogIndex(store, identity.registry)
    identity.ingest_observations([obs("o1", 1, ANN), obs("o2", 2, BOB), obs("o3", 3, ANN, COOKIE)])
    index.catch_up()
    late = [(key, seq) for seq, payload in store.read_log(2, 10) for key in index.keys_of(payload)]

    store.reset_derived()
    store.finish_rebuild()
    written = store.index_log(sorted(late), 2, 3)

    assert written is False
    assert store.log_index_position() == 0
    assert store.logged_observations_with([ANN, COOKIE]) == []
    assert index.catch_up() == 3
    assert [seq for seq, _ in store.logged_observations_with([ANN])] == [1, 3]


def test_a_page_past_positions_no_observation_holds_is_indexed(store: GraphStore) -> None:
    """Positions an erasure emptied, or a page read after the last one indexed: nothing lies
    between, so nothing is left out."""
    identity = service(store)
    index = LogIndex(store, identity.registry)
    identity.ingest_observations([obs("o1", 1, ANN), obs("o2", 2, BOB)])
    assert store.index_log([(ANN, 1)], 0, 1)
    rows = [(key, seq) for seq, payload in store.read_log(1, 10) for key in index.keys_of(payload)]

    assert store.index_log(rows, 1, 2)
    assert store.log_index_position() == 2
    assert [seq for seq, _ in store.logged_observations_with([BOB])] == [2]


def test_a_rebuild_under_other_junk_values_indexes_the_log_by_the_new_keys(
    store_opener: StoreOpener,
) -> None:
    """A phone taken off the junk list is keyed `phone:+1…` from the rebuild on, not by its
    junk form `phone:415…`: the index must follow, or Ann's erasure would miss the record
    that carried only that phone (her name and city, left in the log)."""
    store = store_opener.open()
    junk = Settings(junk={"phone": ["4155550101"]})
    before = IdentityService(store, junk)
    before.ingest_observations(
        [
            obs("o1", 1, ANN, "phone:415-555-0101"),
            {**obs("o2", 2, "phone:(415) 555-0101"), "attributes": {"city": "Leeds"}},
            obs("o3", 3, BOB),
        ]
    )
    LogIndex(store, before.registry).catch_up()
    assert [seq for seq, _ in store.logged_observations_with(["phone:4155550101"])] == [1, 2]

    identity = IdentityService(store, Settings())
    identity.rebuild()

    assert store.log_index_position() == 3
    assert store.logged_observations_with(["phone:4155550101"]) == []
    phone = "phone:+14155550101"
    assert [seq for seq, _ in store.logged_observations_with([phone])] == [1, 2]
    assert [seq for seq, _ in store.logged_observations_with([ANN, BOB])] == [1, 3]
    report = ErasureService(identity).erase_profile(ANN, reason="GDPR 7", actor="dpo")
    assert report.profile_id
    assert [seq for seq, payload in store.read_log(0, 10)] == [3]
