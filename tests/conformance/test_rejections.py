"""Rejections: kept with their reason, listed by kind and page, each one once."""

from __future__ import annotations

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.profiles import RejectionFilter
from datora_graph.domain.records import RecordKind, Rejection
from datora_graph.store.base import GraphStore

from .builders import at, rejection


def _five(store: GraphStore) -> list[Rejection]:
    kinds: list[RecordKind] = ["observation", "event", "observation", "event", "observation"]
    rejections = [
        rejection(
            kind,
            f'{{"id":"bad-{n}","note":"Zoë"}}',
            item_id=f"bad-{n}",
            field=f"identifiers[{n}].value",
            received_at=at(n),
        )
        for n, kind in enumerate(kinds)
    ]
    store.commit(Changeset(rejections=rejections[:2]))
    store.commit(Changeset(rejections=rejections[2:]))
    return rejections


def _all_pages(store: GraphStore, query: RejectionFilter) -> list[tuple[int, Rejection]]:
    items: list[tuple[int, Rejection]] = []
    after = query.after
    for _ in range(100):
        page = store.list_rejections(RejectionFilter(query.kind, after, query.limit))
        assert len(page.items) <= query.limit
        items.extend(page.items)
        if page.next_after is None:
            return items
        after = page.next_after
    raise AssertionError("list_rejections never reached the last page")


def test_rejections_come_back_as_committed_in_order(store: GraphStore) -> None:
    rejections = _five(store)

    page = store.list_rejections(RejectionFilter())

    assert [r for _, r in page.items] == rejections
    seqs = [seq for seq, _ in page.items]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 5
    assert page.next_after is None
    assert store.stats().rejections == 5


def test_rejections_filtered_by_kind(store: GraphStore) -> None:
    rejections = _five(store)

    events = store.list_rejections(RejectionFilter(kind="event"))
    observations = store.list_rejections(RejectionFilter(kind="observation"))

    assert [r for _, r in events.items] == [rejections[1], rejections[3]]
    assert [r for _, r in observations.items] == [rejections[0], rejections[2], rejections[4]]


def test_rejection_pages_cover_every_rejection_once(store: GraphStore) -> None:
    rejections = _five(store)

    first = store.list_rejections(RejectionFilter(limit=2))
    assert [r for _, r in first.items] == rejections[:2]
    assert first.next_after == first.items[-1][0]

    items = _all_pages(store, RejectionFilter(limit=2))
    assert [r for _, r in items] == rejections

    events = _all_pages(store, RejectionFilter(kind="event", limit=1))
    assert [r for _, r in events] == [rejections[1], rejections[3]]


def test_after_skips_what_was_already_listed(store: GraphStore) -> None:
    rejections = _five(store)
    seqs = [seq for seq, _ in store.list_rejections(RejectionFilter()).items]

    page = store.list_rejections(RejectionFilter(after=seqs[2]))

    assert [r for _, r in page.items] == rejections[3:]


def test_no_next_page_once_nothing_follows(store: GraphStore) -> None:
    """A full last page must not promise more: `next_after` is None when nothing follows."""
    rejections = _five(store)

    observations = store.list_rejections(RejectionFilter(kind="observation", limit=3))
    everything = store.list_rejections(RejectionFilter(limit=5))

    assert [r for _, r in observations.items] == rejections[0::2]
    assert observations.next_after is None
    assert [r for _, r in everything.items] == rejections
    assert everything.next_after is None


def test_the_same_rejection_twice_is_listed_once(store: GraphStore) -> None:
    payload = '{"id":"bad-1","identifiers":[]}'
    first = rejection("observation", payload, item_id="bad-1", received_at=at(1))
    again = rejection("observation", payload, item_id="bad-1", received_at=at(2))
    assert first.fingerprint == again.fingerprint

    store.commit(Changeset(rejections=[first]))
    store.commit(Changeset(rejections=[again, again]))

    items = store.list_rejections(RejectionFilter()).items
    assert len(items) == 1
    assert items[0][1].payload == payload
    assert store.stats().rejections == 1


def test_the_same_payload_of_another_kind_is_another_rejection(store: GraphStore) -> None:
    payload = '{"id":"bad-1"}'

    store.commit(
        Changeset(rejections=[rejection("observation", payload), rejection("event", payload)])
    )

    kinds = [r.kind for _, r in store.list_rejections(RejectionFilter()).items]
    assert kinds == ["observation", "event"]


def test_no_rejections(store: GraphStore) -> None:
    page = store.list_rejections(RejectionFilter(kind="event"))

    assert (list(page.items), page.next_after) == ([], None)
