"""Review items the graph answered: a record joined the profiles of a held link's two ends by
another path, so the item is closed as `answered`, naming that record, and its held evidence
is active (`AnsweredItem`); an item whose ends stay apart stays open."""

from __future__ import annotations

from datora_graph.domain.changeset import AnsweredItem, OpenReviewItem
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.store.base import GraphStore

from .builders import held_link, merger, seed

C1, C2, C3, WEB = "crm_id:C-1", "crm_id:C-2", "crm_id:C-3", "cookie_id:c-1"


def _held(store: GraphStore) -> None:
    """C-1 (with its cookie) and C-2 in two profiles, a held link between them; C-3 apart."""
    seed(store, "prf_1", [C1], seq=1)
    seed(store, "prf_2", [C2], seq=2)
    seed(store, "prf_3", [C3], seq=3)
    store.commit(held_link(C1, C2, "prf_1", "prf_2", seq=4))
    store.commit(held_link(C1, C3, "prf_1", "prf_3", seq=5))


def test_the_open_items_between_profiles_are_those_with_an_end_in_two_of_them(
    store: GraphStore,
) -> None:
    _held(store)

    assert store.open_review_items_between(["prf_1", "prf_2"]) == [
        OpenReviewItem(C1, C2, "prf_1", "prf_2")
    ]
    assert store.open_review_items_between(["prf_1"]) == [], "one end outside: not answerable"
    assert store.open_review_items_between(["prf_2", "prf_3"]) == [], "no item between them"
    assert len(store.open_review_items_between(["prf_3", "prf_2", "prf_1"])) == 2


def test_an_answered_item_is_closed_naming_the_record_and_its_link_is_active(
    store: GraphStore,
) -> None:
    _held(store)
    one = store.load_snapshot([C1, C2]).profiles
    changeset, _ = merger(one["prf_1"], one["prf_2"], seq=6, link=(C1, C2))
    changeset.evidence = []
    changeset.answered = [AnsweredItem(C1, C2, "obs-6")]
    store.commit(changeset)

    items = {(i.a, i.b): i for i in store.list_review_items(ReviewFilter(None)).items}
    assert (items[C1, C2].status, items[C1, C2].answered_by) == ("answered", "obs-6")
    assert items[C1, C2].profile_a == items[C1, C2].profile_b == "prf_1"
    assert (items[C1, C3].status, items[C1, C3].answered_by) == ("open", "")
    assert [(i.a, i.b) for i in store.list_review_items(ReviewFilter()).items] == [(C1, C3)]
    answered = store.list_review_items(ReviewFilter("answered")).items
    assert [(i.a, i.b) for i in answered] == [(C1, C2)]
    statuses = {(e.a, e.b): e.status for e in store.profile_slice(["prf_1", "prf_3"]).evidence}
    assert statuses == {(C1, C2): "active", (C1, C3): "held"}
    counts = store.stats()
    assert (counts.open_review_items, counts.held_links) == (1, 1)


def test_an_item_opened_and_answered_in_one_batch_is_stored_answered(store: GraphStore) -> None:
    seed(store, "prf_1", [C1], seq=1)
    seed(store, "prf_2", [C2], seq=2)
    opened = held_link(C1, C2, "prf_1", "prf_2", seq=3)
    one = store.load_snapshot([C1, C2]).profiles
    joined, _ = merger(one["prf_1"], one["prf_2"], seq=4, link=(C1, WEB))
    joined.observations = [*opened.observations, *joined.observations]
    joined.evidence = opened.evidence
    joined.review_items = opened.review_items
    joined.answered = [AnsweredItem(C1, C2, "obs-4")]
    store.commit(joined)

    [item] = store.list_review_items(ReviewFilter(None)).items
    assert (item.status, item.answered_by) == ("answered", "obs-4")
    [link] = store.profile_slice(["prf_1"]).evidence
    assert link.status == "active"
    assert store.stats().open_review_items == 0
