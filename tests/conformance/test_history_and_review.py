"""The port's merge history and review queue: what GraphQL's `mergeHistory` and
`reviewQueue` read."""

from __future__ import annotations

from datora_graph.domain.profiles import MergeRecord, ReviewFilter
from datora_graph.store.base import GraphStore

from .builders import at, held_link, merger, seed

ANN = ("crm_id:C-1", "email:ann@acme.io")
ANN_WEB = ("cookie_id:c-1",)
ANN_APP = ("user_id:u-1",)


def test_merge_history_names_every_merge_into_a_profile_oldest_first(store: GraphStore) -> None:
    crm = seed(store, "prf_crm", ANN, seq=1)
    web = seed(store, "prf_web", ANN_WEB, seq=2)
    app = seed(store, "prf_app", ANN_APP, seq=3)
    seed(store, "prf_bob", ["email:bob@acme.io"], seq=4)
    first, merged = merger(crm.state, web.state, seq=5, link=("email:ann@acme.io", "cookie_id:c-1"))
    store.commit(first)
    second, _ = merger(app.state, merged, seq=6, link=("user_id:u-1", "crm_id:C-1"))
    store.commit(second)

    history = store.merge_history(["prf_app", "prf_bob", "prf_nobody"])

    assert history == {
        "prf_app": [
            MergeRecord("prf_web", "prf_crm", "obs-5", at(5), "observed evidence"),
            MergeRecord("prf_crm", "prf_app", "obs-6", at(6), "observed evidence"),
        ]
    }
    assert store.merge_history([]) == {}


def test_review_items_name_the_profiles_that_hold_their_identifiers_now(
    store: GraphStore,
) -> None:
    crm = seed(store, "prf_crm", ANN, seq=1)
    seed(store, "prf_other", ["crm_id:C-2"], seq=2)
    web = seed(store, "prf_web", ANN_WEB, seq=3)
    store.commit(held_link("crm_id:C-1", "crm_id:C-2", "prf_crm", "prf_other", seq=4))
    opened = store.list_review_items(ReviewFilter())
    assert [(i.a, i.b, i.profile_a, i.profile_b) for i in opened.items] == [
        ("crm_id:C-1", "crm_id:C-2", "prf_crm", "prf_other")
    ]
    assert (opened.items[0].kind, opened.items[0].status) == ("held_link", "open")
    assert opened.items[0].observation_id == "obs-4"
    assert opened.next_after is None

    changeset, _ = merger(web.state, crm.state, seq=5, link=("cookie_id:c-1", "crm_id:C-1"))
    store.commit(changeset)

    moved = store.list_review_items(ReviewFilter()).items[0]
    assert (moved.profile_a, moved.profile_b) == ("prf_web", "prf_other")


def _three_held_links(store: GraphStore) -> None:
    """Review items A-n/B-n for n = 0, 1, 2, opened in that order."""
    for n in range(3):
        seed(store, f"prf_{n}a", [f"crm_id:A-{n}"], seq=2 * n + 1)
        seed(store, f"prf_{n}b", [f"crm_id:B-{n}"], seq=2 * n + 2)
    for n in range(3):
        store.commit(
            held_link(f"crm_id:A-{n}", f"crm_id:B-{n}", f"prf_{n}a", f"prf_{n}b", seq=10 + n)
        )


def test_the_review_queue_is_paged_in_the_order_items_were_opened(store: GraphStore) -> None:
    _three_held_links(store)

    first = store.list_review_items(ReviewFilter(limit=2))
    second = store.list_review_items(ReviewFilter(after=first.next_after or 0, limit=2))

    assert [i.a for i in first.items] == ["crm_id:A-0", "crm_id:A-1"]
    assert first.next_after == first.items[-1].id
    assert [i.a for i in second.items] == ["crm_id:A-2"]
    assert second.next_after is None
    assert len(store.list_review_items(ReviewFilter(status=None)).items) == 3
    assert store.list_review_items(ReviewFilter(status="closed")).items == []


def test_the_review_queue_narrows_to_items_about_some_identifiers(store: GraphStore) -> None:
    _three_held_links(store)

    about = store.list_review_items(ReviewFilter(touching=("crm_id:B-2", "crm_id:A-0")))
    paged = store.list_review_items(ReviewFilter(touching=("crm_id:A-0", "crm_id:A-1"), limit=1))

    assert [(i.a, i.b) for i in about.items] == [
        ("crm_id:A-0", "crm_id:B-0"),
        ("crm_id:A-2", "crm_id:B-2"),
    ]
    assert [i.a for i in paged.items] == ["crm_id:A-0"]
    assert paged.next_after == paged.items[0].id
    assert store.list_review_items(ReviewFilter(touching=())).items == []
    assert store.list_review_items(ReviewFilter(touching=("crm_id:Z-9",))).items == []
