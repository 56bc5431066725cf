"""What the guards need from every store: review items keep their guard, source and suggested
action; identifier guard state (hub joins, quarantine) survives between batches, is cleared by
a rebuild's reset, and quarantine shows on the identifiers of a profile."""

from __future__ import annotations

from dataclasses import replace

from datora_graph.domain.changeset import Changeset, IdentifierGuardState
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.store.base import GraphStore

from .builders import held_link, seed

KIOSK = "device_id:kiosk-7"


def test_a_review_item_keeps_its_guard_source_and_suggested_action(store: GraphStore) -> None:
    seed(store, "prf_ann", ["user_id:u-1", KIOSK], seq=1)
    seed(store, "prf_bob", ["user_id:u-2"], seq=2)
    changeset = held_link("user_id:u-2", KIOSK, "prf_bob", "prf_ann", seq=3, source="kiosk")
    draft = replace(
        changeset.review_items[0],
        guard="hub",
        source="kiosk",
        suggested_action="reject: the device device_id:kiosk-7 is shared by 3 profiles",
    )
    store.commit(replace(changeset, review_items=[draft]))

    (item,) = store.list_review_items(ReviewFilter()).items

    assert (item.guard, item.source) == ("hub", "kiosk")
    assert item.suggested_action == "reject: the device device_id:kiosk-7 is shared by 3 profiles"
    assert (item.a, item.b, item.observation_id) == (KIOSK, "user_id:u-2", "obs-3")
    assert {item.profile_a, item.profile_b} == {"prf_ann", "prf_bob"}


def test_identifier_guard_state_is_kept_between_batches_and_shown(store: GraphStore) -> None:
    seed(store, "prf_ann", ["user_id:u-1", KIOSK], seq=1)
    assert store.load_snapshot([KIOSK]).identifier_guards == {}

    counted = IdentifierGuardState(KIOSK, joins=2)
    store.commit(Changeset(identifier_guards=[counted]))
    assert store.load_snapshot([KIOSK, "user_id:u-1"]).identifier_guards == {KIOSK: counted}
    assert not _quarantined(store, "prf_ann")

    quarantined = IdentifierGuardState(KIOSK, 3, True, "it joined more than 3 profiles")
    store.commit(Changeset(identifier_guards=[quarantined]))
    assert store.load_snapshot([KIOSK]).identifier_guards == {KIOSK: quarantined}
    assert _quarantined(store, "prf_ann") == {KIOSK}
    listed = {p.id: p for page in store.iter_profiles() for p in page}
    assert {i.identifier.key for i in listed["prf_ann"].identifiers if i.quarantined} == {KIOSK}


def test_a_rebuild_reset_forgets_guard_state(store: GraphStore) -> None:
    seed(store, "prf_ann", ["user_id:u-1", KIOSK], seq=1)
    store.commit(Changeset(identifier_guards=[IdentifierGuardState(KIOSK, 4, True, "hub")]))

    store.reset_derived()
    store.finish_rebuild()

    assert store.load_snapshot([KIOSK]).identifier_guards == {}


def _quarantined(store: GraphStore, profile_id: str) -> set[str]:
    profile = store.get_profiles([profile_id])[profile_id]
    return {p.identifier.key for p in profile.identifiers if p.quarantined}
