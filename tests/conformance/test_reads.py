"""The read queries: profiles by ID and by identifier, every profile in batches, statistics."""

from __future__ import annotations

import pytest

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import GoldenProfile, StoreStats
from datora_graph.store.base import GraphStore

from .builders import Seeded, at, seed
from .conftest import StoreOpener


def _profile_rows(profile: GoldenProfile) -> set[tuple[str, bool, object]]:
    return {(i.identifier.key, i.junk, i.first_seen) for i in profile.identifiers}


def _seven(store: GraphStore) -> dict[str, Seeded]:
    """Seven profiles committed in an order unlike their ID order."""
    seeded: dict[str, Seeded] = {}
    for seq, n in enumerate((4, 0, 6, 2, 5, 1, 3), start=1):
        keys = [f"email:p{n}@acme.io", f"cookie_id:c-{n}"]
        if n == 3:
            keys.append("phone:+12025550143")
        seeded[f"prf_{n}"] = seed(
            store, f"prf_{n}", keys, seq=seq, attributes={"first_name": f"P{n}"}
        )
    return seeded


def test_get_profiles_returns_the_golden_profile(store: GraphStore) -> None:
    seed(
        store,
        "prf_ann",
        ["email:ann.lee@acme.io", "cookie_id:c-1"],
        seq=3,
        observed_at=at(1.5),
        attributes={"first_name": "Zoë", "birth_date": "1990-02-03"},
    )
    seed(store, "prf_junk", ["email:test@test.com"], seq=4, junk=True)

    profiles = store.get_profiles(["prf_ann", "prf_junk"])

    ann = profiles["prf_ann"]
    assert (ann.id, ann.size, ann.junk, list(ann.aliases)) == ("prf_ann", 2, False, [])
    assert dict(ann.attributes) == {"first_name": "Zoë", "birth_date": "1990-02-03"}
    assert (ann.created_at, ann.updated_at) == (at(1.5), at(1.5))
    assert _profile_rows(ann) == {
        ("email:ann.lee@acme.io", False, at(1.5)),
        ("cookie_id:c-1", False, at(1.5)),
    }
    junk = profiles["prf_junk"]
    assert junk.junk is True
    assert _profile_rows(junk) == {("email:test@test.com", True, at(4))}


def test_get_profiles_of_unknown_ids_returns_nothing(store: GraphStore) -> None:
    seed(store, "prf_ann", ["email:ann.lee@acme.io"], seq=1)

    assert store.get_profiles(["prf_nobody", "email:ann.lee@acme.io"]) == {}
    assert store.get_profiles([]) == {}
    assert store.get_profiles(["prf_ann", "prf_nobody"]).keys() == {"prf_ann"}


def test_profile_ids_for_identifiers(store: GraphStore) -> None:
    seed(store, "prf_ann", ["email:ann.lee@acme.io", "cookie_id:c-1"], seq=1)
    seed(store, "prf_bob", ["email:bob@acme.io"], seq=2)

    found = store.profile_ids_for_identifiers(
        ["cookie_id:c-1", "email:bob@acme.io", "email:nobody@acme.io"]
    )

    assert found == {"cookie_id:c-1": "prf_ann", "email:bob@acme.io": "prf_bob"}
    assert store.profile_ids_for_identifiers([]) == {}


def test_resolve_profile_ids_of_current_and_unknown_ids(store: GraphStore) -> None:
    seed(store, "prf_ann", ["email:ann.lee@acme.io"], seq=1)

    assert store.resolve_profile_ids(["prf_ann", "prf_nobody"]) == {"prf_ann": "prf_ann"}
    assert store.resolve_profile_ids([]) == {}


def test_iter_profiles_yields_every_profile_once_in_id_order(store: GraphStore) -> None:
    seeded = _seven(store)

    batches = list(store.iter_profiles(batch_size=3))

    assert [len(batch) for batch in batches] == [3, 3, 1]
    profiles = [p for batch in batches for p in batch]
    assert [p.id for p in profiles] == [f"prf_{n}" for n in range(7)]
    for profile in profiles:
        expected = seeded[profile.id]
        assert {i.identifier.key for i in profile.identifiers} == set(expected.keys)
        assert profile.size == len(expected.keys)
        assert dict(profile.attributes) == dict(expected.attributes)


def test_iter_profiles_matches_get_profiles(store: GraphStore) -> None:
    _seven(store)

    batches = list(store.iter_profiles(batch_size=3))
    listed = {p.id: p for batch in batches for p in batch}
    fetched = store.get_profiles(listed)

    assert [[p.id for p in batch] for batch in batches] == [
        ["prf_0", "prf_1", "prf_2"],
        ["prf_3", "prf_4", "prf_5"],
        ["prf_6"],
    ], "pages of the asked size, in ID order"

    assert listed.keys() == fetched.keys()
    for profile_id, profile in listed.items():
        other = fetched[profile_id]
        assert _profile_rows(profile) == _profile_rows(other)
        assert (profile.size, profile.created_at, profile.updated_at) == (
            other.size,
            other.created_at,
            other.updated_at,
        )
        assert dict(profile.attributes) == dict(other.attributes)


def test_iter_profiles_of_an_empty_store(store: GraphStore) -> None:
    assert [p for batch in store.iter_profiles(batch_size=2) for p in batch] == []


def test_stats_of_an_empty_store(store: GraphStore) -> None:
    stats = store.stats()

    assert stats == StoreStats(0, 0, 0, 0, 0, 0, 0, stats.identifiers_by_type)
    assert dict(stats.identifiers_by_type) == {}


def test_stats_count_identifiers_by_type(store: GraphStore) -> None:
    _seven(store)
    seed(store, "prf_x", ["crm_id:C-1", "email:x@acme.io"], seq=8)

    stats = store.stats()

    assert (stats.observations, stats.identifiers, stats.profiles) == (8, 17, 8)
    assert dict(stats.identifiers_by_type) == {"cookie_id": 7, "crm_id": 1, "email": 8, "phone": 1}


def test_ping_answers_while_the_store_is_open(store: GraphStore) -> None:
    seed(store, "prf_ann", ["email:ann.lee@acme.io"], seq=1)

    store.ping()


def test_ping_after_close_says_the_store_is_unavailable(
    store_opener: StoreOpener, store: GraphStore
) -> None:
    store_opener.close(store)

    with pytest.raises(StoreUnavailable):
        store.ping()


def test_identifier_keys_are_exact_strings(store: GraphStore) -> None:
    """Values are normalised once at the boundary; a store compares keys byte for byte, so
    case differences are different identifiers and a value may itself contain colons."""
    seed(store, "prf_upper", ["crm_id:C-1", "cookie_id:a:b:c"], seq=1)
    seed(store, "prf_lower", ["crm_id:c-1"], seq=2)

    assert store.profile_ids_for_identifiers(["crm_id:C-1", "crm_id:c-1", "cookie_id:a"]) == {
        "crm_id:C-1": "prf_upper",
        "crm_id:c-1": "prf_lower",
    }
    keys = {i.identifier for i in store.get_profiles(["prf_upper"])["prf_upper"].identifiers}
    assert keys == {Identifier("crm_id", "C-1"), Identifier("cookie_id", "a:b:c")}
    assert dict(store.stats().identifiers_by_type) == {"cookie_id": 1, "crm_id": 2}
