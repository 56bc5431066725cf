"""`reset_derived`: forget the graph, keep the logs and the stewards' constraints."""

from __future__ import annotations

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.profiles import JourneyQuery, RejectionFilter
from datora_graph.domain.records import REPLAY_REJECTION_PREFIX
from datora_graph.store.base import GraphStore

from .builders import at, copy_state, creation, event, held_link, merger, rejection, seed
from .conftest import StoreOpener

ANN = ("crm_id:C-1", "email:ann.lee@acme.io")
WEB = ("cookie_id:c-1",)
TWIN = ("crm_id:C-2",)


def _populated(store: GraphStore) -> int:
    """Profiles, a merge, a held link with its review item, events, a rejection and a
    cannot-link constraint; returns the constraint's ID."""
    ann = seed(store, "prf_ann", ANN, seq=1)
    web = seed(store, "prf_web", WEB, seq=2, source="web")
    seed(store, "prf_twin", TWIN, seq=3)
    changeset, _ = merger(ann.state, web.state, seq=4, link=("email:ann.lee@acme.io", WEB[0]))
    store.commit(changeset)
    store.commit(held_link("crm_id:C-1", "crm_id:C-2", "prf_ann", "prf_twin", seq=5))
    store.commit(
        Changeset(
            events=[event("ev-1", [WEB[0]], at(10)), event("ev-2", [ANN[1]], at(11))],
            rejections=[rejection("observation", '{"id":"bad"}', item_id="bad")],
        )
    )
    return store.add_cannot_link("email:ann.lee@acme.io", "crm_id:C-2", "twins")


def test_reset_forgets_the_graph_and_keeps_the_logs(store: GraphStore) -> None:
    _populated(store)
    log = list(store.read_log(0, 100))
    rejections = list(store.list_rejections(RejectionFilter()).items)

    store.reset_derived()

    stats = store.stats()
    assert (stats.observations, stats.events, stats.rejections) == (5, 2, 1)
    assert (stats.identifiers, stats.profiles) == (0, 0)
    assert (stats.held_links, stats.open_review_items) == (0, 0)
    assert dict(stats.identifiers_by_type) == {}
    assert list(store.read_log(0, 100)) == log
    assert store.last_sequence() == 5
    assert store.known_observation_ids(["obs-1", "obs-5"]) == {"obs-1", "obs-5"}
    assert store.known_event_ids(["ev-1", "ev-2"]) == {"ev-1", "ev-2"}
    assert list(store.list_rejections(RejectionFilter()).items) == rejections


def test_reset_forgets_identifiers_profiles_and_aliases(store: GraphStore) -> None:
    _populated(store)
    keys = [*ANN, *WEB, *TWIN]

    store.reset_derived()

    snapshot = store.load_snapshot(keys)
    assert (dict(snapshot.identifiers), dict(snapshot.profiles)) == ({}, {})
    assert store.profile_ids_for_identifiers(keys) == {}
    assert store.resolve_profile_ids(["prf_ann", "prf_web", "prf_twin"]) == {}
    assert store.get_profiles(["prf_ann", "prf_web", "prf_twin"]) == {}
    assert [p for batch in store.iter_profiles() for p in batch] == []


def test_a_replay_after_reset_starts_a_clean_graph(store: GraphStore) -> None:
    """Replayed changesets carry no log appends; held links and review items count afresh, the
    events rejoin the journeys and cannot-link constraints apply to the new profiles."""
    constraint = _populated(store)
    store.reset_derived()
    ann = creation("prf_ann", [*ANN, *WEB], seq=1)
    twin = creation("prf_twin", TWIN, seq=3)
    held = held_link("crm_id:C-1", "crm_id:C-2", "prf_ann", "prf_twin", seq=5)
    for changeset in (ann.changeset, twin.changeset, held):
        changeset.observations = []
        store.commit(changeset)

    stats = store.stats()
    assert (stats.observations, stats.identifiers, stats.profiles) == (5, 4, 2)
    assert (stats.held_links, stats.open_review_items) == (1, 1)
    assert [e.id for e in store.journey("prf_ann", JourneyQuery()).events] == ["ev-1", "ev-2"]
    profiles = store.load_snapshot([*ANN, *TWIN]).profiles
    (side,) = {s for c, s in profiles["prf_ann"].constraint_sides if c == constraint}
    expected_ann, expected_twin = copy_state(ann.state), copy_state(twin.state)
    expected_ann.constraint_sides = {(constraint, side)}
    expected_twin.constraint_sides = {(constraint, 1 - side)}
    assert dict(profiles) == {"prf_ann": expected_ann, "prf_twin": expected_twin}


def test_a_rebuild_is_in_progress_until_finished(store: GraphStore) -> None:
    assert store.rebuild_in_progress() is False
    _populated(store)

    store.reset_derived()
    assert store.rebuild_in_progress() is True

    store.finish_rebuild()
    assert store.rebuild_in_progress() is False
    assert store.stats().observations == 5


def test_an_unfinished_rebuild_is_still_unfinished_after_reopening(
    store_opener: StoreOpener, store: GraphStore
) -> None:
    """A rebuild cut short by a crash must be visible to the next process, so it can resume."""
    _populated(store)
    store.reset_derived()

    reopened = store_opener.reopen(store)

    assert reopened.rebuild_in_progress() is True
    reopened.finish_rebuild()
    assert store_opener.reopen(reopened).rebuild_in_progress() is False


def test_reset_forgets_the_rejections_a_replay_made_and_keeps_those_of_ingest(
    store: GraphStore,
) -> None:
    """A replay's rejections are derived from the log and the settings: the next replay makes
    again those still invalid, so a record it accepts is no longer listed as rejected."""
    _populated(store)
    replayed = [
        rejection(
            "observation",
            f'{{"id":"obs-{n}"}}',
            item_id=f"obs-{n}",
            field="identifiers[0].type",
            reason=f"{REPLAY_REJECTION_PREFIX}{settings} settings: unknown identifier type",
        )
        for n, settings in ((1, "current"), (2, "target's"))
    ]
    store.commit(Changeset(rejections=replayed))
    ingested = [r for _, r in store.list_rejections(RejectionFilter()).items][:1]

    store.reset_derived()

    assert [r for _, r in store.list_rejections(RejectionFilter()).items] == ingested
    assert store.stats().rejections == 1


def test_kept_rejections_are_found_by_fingerprint(store: GraphStore) -> None:
    kept = rejection("observation", '{"id":"bad"}', item_id="bad")
    other = rejection("event", '{"id":"bad"}', item_id="bad")
    store.commit(Changeset(rejections=[kept]))

    assert store.kept_rejections([kept.fingerprint, other.fingerprint]) == {kept.fingerprint}
    assert store.kept_rejections([]) == set()
