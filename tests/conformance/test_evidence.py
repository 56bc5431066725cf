"""Evidence upserts and review items, as far as the port lets a caller see them.

The port has no read of evidence itself (counts, first and last seen per source), so these
tests see evidence through `stats().held_links` and `stats().open_review_items` only.
"""

from __future__ import annotations

from datora_graph.domain.changeset import Changeset
from datora_graph.store.base import GraphStore

from .builders import evidence, held_link, observation, seed

CRM_1 = "crm_id:C-1"
CRM_2 = "crm_id:C-2"


def _two_crm_profiles(store: GraphStore) -> None:
    seed(store, "prf_one", [CRM_1, "email:ann.lee@acme.io"], seq=1)
    seed(store, "prf_two", [CRM_2, "email:ann.l@acme.io"], seq=2)


def test_a_held_link_is_counted_with_its_review_item(store: GraphStore) -> None:
    _two_crm_profiles(store)

    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3))

    stats = store.stats()
    assert (stats.held_links, stats.open_review_items) == (1, 1)


def test_the_same_held_pair_twice_keeps_one_open_review_item(store: GraphStore) -> None:
    _two_crm_profiles(store)

    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3))
    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=4))

    stats = store.stats()
    assert (stats.held_links, stats.open_review_items) == (1, 1)


def test_one_held_pair_seen_by_two_sources_is_one_held_link(store: GraphStore) -> None:
    """Evidence is aggregated per identifier pair; the sources are details of that one link."""
    _two_crm_profiles(store)

    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3, source="crm"))
    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=4, source="shop"))

    stats = store.stats()
    assert (stats.held_links, stats.open_review_items) == (1, 1)


def test_different_held_pairs_each_get_a_review_item(store: GraphStore) -> None:
    _two_crm_profiles(store)
    seed(store, "prf_three", ["crm_id:C-3"], seq=3)

    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=4))
    store.commit(held_link(CRM_1, "crm_id:C-3", "prf_one", "prf_three", seq=5))

    stats = store.stats()
    assert (stats.held_links, stats.open_review_items) == (2, 2)


def test_a_held_link_stays_held_when_seen_again_held(store: GraphStore) -> None:
    _two_crm_profiles(store)
    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3))

    store.commit(
        Changeset(
            observations=[observation(4, (CRM_1, CRM_2))],
            evidence=[evidence(CRM_1, CRM_2, status="held")],
        )
    )

    assert store.stats().held_links == 1


def test_a_held_link_becomes_active_when_the_engine_says_so(store: GraphStore) -> None:
    _two_crm_profiles(store)
    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3))

    store.commit(
        Changeset(
            observations=[observation(4, (CRM_1, CRM_2))],
            evidence=[evidence(CRM_1, CRM_2, status="active")],
        )
    )

    assert store.stats().held_links == 0


def test_a_cut_link_is_never_overwritten_by_an_upsert(store: GraphStore) -> None:
    _two_crm_profiles(store)
    store.commit(Changeset(evidence=[evidence(CRM_1, CRM_2, status="cut")]))

    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3))

    assert store.stats().held_links == 0


def test_a_cut_link_stays_cut_when_another_source_sees_the_pair(store: GraphStore) -> None:
    """A steward cuts the link between two identifiers, not one source's sighting of it: a new
    source seeing the pair must not bring the link back as held (or active)."""
    _two_crm_profiles(store)
    store.commit(Changeset(evidence=[evidence(CRM_1, CRM_2, source="crm", status="cut")]))

    store.commit(held_link(CRM_1, CRM_2, "prf_one", "prf_two", seq=3, source="shop"))

    assert store.stats().held_links == 0


def test_active_evidence_is_not_a_held_link(store: GraphStore) -> None:
    seed(store, "prf_one", [CRM_1, "email:ann.lee@acme.io", "cookie_id:c-1"], seq=1)

    store.commit(
        Changeset(
            observations=[observation(2, (CRM_1, "cookie_id:c-1"))],
            evidence=[evidence(CRM_1, "cookie_id:c-1", count=3)],
        )
    )

    stats = store.stats()
    assert (stats.held_links, stats.open_review_items) == (0, 0)
