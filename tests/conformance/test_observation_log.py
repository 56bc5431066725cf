"""The observation log: the source of truth, appended in order, never half-written."""

from __future__ import annotations

import pytest

from datora_graph.domain.audit import AuditFilter, merge_audit_entries
from datora_graph.domain.changeset import Changeset, Merge, ProfileWrite
from datora_graph.domain.errors import Conflict
from datora_graph.domain.profiles import JourneyQuery, RejectionFilter
from datora_graph.store.base import GraphStore

from .builders import (
    at,
    copy_state,
    creation,
    event,
    evidence,
    held_link,
    merged_state,
    observation,
    rejection,
    seed,
)
from .conftest import StoreOpener


def test_an_empty_log(store: GraphStore) -> None:
    assert store.last_sequence() == 0
    assert list(store.read_log(0, 10)) == []
    assert store.known_observation_ids(["obs-1"]) == set()
    assert store.stats().observations == 0


def test_read_log_returns_entries_in_order_with_their_exact_payload(store: GraphStore) -> None:
    first = [observation(n, (f"cookie_id:c-{n}",)) for n in (1, 2, 3)]
    second = [
        observation(4, ("email:zoë@acme.io",), attributes={"first_name": "Zoë", "note": 'a"b'}),
        observation(5, ("cookie_id:c-5",), attributes={"score": 0.1, "tags": ["x", "y"]}),
    ]
    store.commit(Changeset(observations=first))
    store.commit(Changeset(observations=second))

    everything = [(o.seq, o.raw) for o in first + second]
    assert list(store.read_log(0, 100)) == everything
    assert list(store.read_log(2, 2)) == everything[2:4]
    assert list(store.read_log(4, 100)) == everything[4:]
    assert list(store.read_log(5, 100)) == []
    assert store.last_sequence() == 5
    assert store.stats().observations == 5


def test_read_log_pages_cover_the_log_exactly_once(store: GraphStore) -> None:
    observations = [observation(n, (f"cookie_id:c-{n}",)) for n in range(1, 24)]
    store.commit(Changeset(observations=observations))

    seen: list[tuple[int, str]] = []
    after = 0
    for _ in range(100):
        page = list(store.read_log(after, 5))
        if not page:
            break
        assert len(page) <= 5
        seen.extend(page)
        after = page[-1][0]

    assert seen == [(o.seq, o.raw) for o in observations]


def test_known_observation_ids(store: GraphStore) -> None:
    store.commit(Changeset(observations=[observation(n, (f"cookie_id:c-{n}",)) for n in (1, 2, 3)]))

    assert store.known_observation_ids(["obs-1", "obs-3", "obs-9", "crm-1"]) == {
        "obs-1",
        "obs-3",
    }
    assert store.known_observation_ids([]) == set()


def test_the_log_survives_closing_the_store(store_opener: StoreOpener, store: GraphStore) -> None:
    ann = seed(store, "prf_ann", ["email:ann.lee@acme.io"], seq=1)

    reopened = store_opener.reopen(store)

    assert list(reopened.read_log(0, 10)) == [(1, ann.changeset.observations[0].raw)]
    assert reopened.load_snapshot(["email:ann.lee@acme.io"]).profiles["prf_ann"] == ann.state


def test_committing_a_known_observation_id_raises_and_keeps_nothing(store: GraphStore) -> None:
    """Deduplication is the service's job; a store that is handed a known ID anyway refuses the
    whole changeset, so no part of it is visible afterwards."""
    ann = seed(store, "prf_ann", ["email:ann.lee@acme.io", "cookie_id:c-1"], seq=1)
    seed(store, "prf_crm2", ["crm_id:C-2"], seq=2)
    seed(store, "prf_crm3", ["crm_id:C-3"], seq=3)
    before = store.stats()
    log_before = list(store.read_log(0, 100))

    bob = creation("prf_bob", ["email:bob@acme.io"], seq=4)
    held = held_link("crm_id:C-2", "crm_id:C-3", "prf_crm2", "prf_crm3", seq=5)
    repeat = observation(6, ("email:ann.lee@acme.io",), obs_id="obs-1")
    merged = merged_state(bob.state, ann.state)
    doomed = Changeset(
        observations=[*bob.changeset.observations, *held.observations, repeat],
        new_identifiers=bob.changeset.new_identifiers,
        merges=[Merge("prf_ann", "prf_bob", "obs-4", at(4))],
        profiles=[ProfileWrite(copy_state(merged), {"first_name": "Bob"}, at(6))],
        evidence=[*held.evidence, evidence("email:bob@acme.io", "email:ann.lee@acme.io")],
        review_items=held.review_items,
        events=[event("ev-doomed", ["email:bob@acme.io"], at(4))],
        rejections=[rejection("event", '{"id":"bad"}', item_id="bad")],
        audit=merge_audit_entries([Merge("prf_ann", "prf_bob", "obs-4", at(4))], "crm-sync"),
    )

    with pytest.raises(Conflict):
        store.commit(doomed)

    assert store.stats() == before
    assert list(store.read_log(0, 100)) == log_before
    assert store.last_sequence() == 3
    assert store.known_observation_ids(["obs-4", "obs-5", "obs-6"]) == set()
    assert store.profile_ids_for_identifiers(["email:bob@acme.io", "email:ann.lee@acme.io"]) == {
        "email:ann.lee@acme.io": "prf_ann"
    }
    assert store.get_profiles(["prf_bob"]) == {}
    assert store.resolve_profile_ids(["prf_ann", "prf_bob"]) == {"prf_ann": "prf_ann"}
    assert store.load_snapshot(["cookie_id:c-1"]).profiles["prf_ann"] == ann.state
    assert store.known_event_ids(["ev-doomed"]) == set()
    assert list(store.list_rejections(RejectionFilter()).items) == []
    assert list(store.journey("prf_ann", JourneyQuery()).events) == []
    assert list(store.list_audit(AuditFilter()).items) == []


def test_the_store_accepts_the_next_changeset_after_a_refused_one(store: GraphStore) -> None:
    seed(store, "prf_ann", ["email:ann.lee@acme.io"], seq=1)
    with pytest.raises(Conflict):
        store.commit(Changeset(observations=[observation(2, ("cookie_id:c-2",), obs_id="obs-1")]))

    bob = seed(store, "prf_bob", ["email:bob@acme.io"], seq=2)

    assert store.last_sequence() == 2
    assert store.load_snapshot(["email:bob@acme.io"]).profiles["prf_bob"] == bob.state


def test_one_observation_id_twice_in_one_changeset_is_refused(store: GraphStore) -> None:
    with pytest.raises(Conflict):
        store.commit(
            Changeset(
                observations=[
                    observation(1, ("cookie_id:c-1",), obs_id="twice"),
                    observation(2, ("cookie_id:c-2",), obs_id="twice"),
                ]
            )
        )

    assert store.last_sequence() == 0
    assert store.known_observation_ids(["twice"]) == set()
