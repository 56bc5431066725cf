"""Bulk reads that carry a store's contents to another (`datora migrate`): every event, every
cannot-link constraint and every consent statement, each whole and each once, in pages."""

from __future__ import annotations

from datetime import timedelta

from datora_graph.domain.changeset import Changeset
from datora_graph.store.base import GraphStore

from .builders import T0, event, seed
from .segment_world import consent, day, purchase


def test_every_event_comes_back_whole_in_id_order_across_pages(store: GraphStore) -> None:
    events = [
        purchase(f"e-{n:02d}", ("email:ann@acme.io", "cookie_id:c-1"), day(n), 10 + n)
        for n in range(7)
    ]
    events.append(event("e-x", ["cookie_id:c-9"], day(3), properties={"tags": ["a", 1]}))
    store.commit(Changeset(events=list(reversed(events))))

    batches = list(store.iter_events(batch_size=3))

    assert [len(b) for b in batches] == [3, 3, 2]
    assert [e for b in batches for e in b] == sorted(events, key=lambda e: e.id)


def test_an_empty_store_has_nothing_to_carry(store: GraphStore) -> None:
    assert list(store.iter_events()) == []
    assert list(store.iter_consent_statements()) == []
    assert store.list_cannot_links() == []


def test_cannot_links_come_back_with_their_reasons(store: GraphStore) -> None:
    seed(store, "prf_ann", ["email:ann@acme.io"], seq=1)
    first = store.add_cannot_link("email:b@acme.io", "email:a@acme.io", "two people")
    second = store.add_cannot_link("phone:+14155550101", "crm_id:C-1", "shared phone")

    found = store.list_cannot_links()

    assert [(c.id, c.a, c.b, c.reason) for c in found] == [
        (first, "email:a@acme.io", "email:b@acme.io", "two people"),
        (second, "crm_id:C-1", "phone:+14155550101", "shared phone"),
    ]
    assert all(c.created_at >= T0 - timedelta(days=1) for c in found)


def test_every_consent_statement_comes_back_once_not_only_the_ones_in_force(
    store: GraphStore,
) -> None:
    statements = [
        consent("email:ann@acme.io", "email_marketing", "granted", day(1)),
        consent("email:ann@acme.io", "email_marketing", "withdrawn", day(2)),
        consent("email:ann@acme.io", "email_marketing", "withdrawn", day(1)),
        consent("email:bob@acme.io", "email_marketing", "granted", day(3)),
        consent("email:bob@acme.io", "sms", "granted", day(3)),
        consent("phone:+14155550101", "sms", "granted", day(3)),
    ]
    store.record_consent(statements)
    store.record_consent(statements[:2])

    batches = list(store.iter_consent_statements(batch_size=4))

    found = [s for b in batches for s in b]
    assert [len(b) for b in batches] == [4, 2]
    assert sorted(found, key=repr) == sorted(statements, key=repr)
    keys = [(s.identifier.key, s.purpose) for s in found]
    assert keys == sorted(keys)


def test_the_consent_count_is_of_kept_statements_as_the_export_yields_them(
    store: GraphStore,
) -> None:
    assert store.count_consent_statements() == 0
    statements = [
        consent("email:ann@acme.io", "email_marketing", "granted", day(1)),
        consent("email:bob@acme.io", "sms", "granted", day(1)),
    ]
    store.record_consent(statements)
    later = consent("email:ann@acme.io", "email_marketing", "withdrawn", day(2))
    store.record_consent([later, statements[0]])

    yielded = sum(len(b) for b in store.iter_consent_statements(batch_size=2))

    assert store.count_consent_statements() == yielded == 3
