"""Commit, then `load_snapshot`: what the engine reads back is exactly what it wrote."""

from __future__ import annotations

from datora_graph.domain.changeset import Changeset, NewIdentifier, ProfileState, ProfileWrite
from datora_graph.domain.identifiers import Identifier
from datora_graph.store.base import GraphStore

from .builders import at, candidates, copy_state, creation, evidence, observation, seed

ANN = ("crm_id:C-1", "email:ann.lee@acme.io", "phone:+12025550143")


def test_new_identifiers_appear_with_their_profile(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)

    snapshot = store.load_snapshot([*ANN, "email:nobody@acme.io"])

    assert dict(snapshot.identifiers) == dict.fromkeys(ANN, "prf_ann")
    assert set(snapshot.profiles) == {"prf_ann"}


def test_profile_state_comes_back_equal(store: GraphStore) -> None:
    ann = seed(
        store,
        "prf_ann",
        ANN,
        seq=7,
        observed_at=at(3.25),
        attributes={"first_name": "Zoë", "birth_date": "1990-02-03", "loyalty": {"tier": 2}},
    )

    state = store.load_snapshot(ANN).profiles["prf_ann"]

    assert state == ann.state
    assert state.size == 3
    assert state.type_counts == {"crm_id": 1, "email": 1, "phone": 1}
    assert state.created_seq == 7
    assert state.created_at == at(3.25)
    assert state.created_at.utcoffset() is not None, "timestamps come back zone-aware (UTC)"
    assert state.candidates == candidates(
        "crm", at(3.25), first_name="Zoë", birth_date="1990-02-03", loyalty={"tier": 2}
    )
    assert state.constraint_sides == set()
    assert state.junk is False


def test_junk_profile_comes_back_junk(store: GraphStore) -> None:
    junk = seed(store, "prf_junk", ["email:test@test.com"], seq=1, junk=True)

    snapshot = store.load_snapshot(["email:test@test.com"])

    assert snapshot.profiles["prf_junk"] == junk.state
    assert snapshot.profiles["prf_junk"].junk is True


def test_unknown_keys_are_absent(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)

    snapshot = store.load_snapshot(["email:nobody@acme.io", "cookie_id:never-seen"])

    assert dict(snapshot.identifiers) == {}
    assert dict(snapshot.profiles) == {}


def test_snapshot_of_an_empty_store_is_empty(store: GraphStore) -> None:
    snapshot = store.load_snapshot(["email:ann.lee@acme.io"])

    assert dict(snapshot.identifiers) == {}
    assert dict(snapshot.profiles) == {}


def test_snapshot_names_only_the_keys_asked_but_the_whole_profile_state(
    store: GraphStore,
) -> None:
    ann = seed(store, "prf_ann", ANN, seq=1)

    snapshot = store.load_snapshot(["email:ann.lee@acme.io"])

    assert dict(snapshot.identifiers) == {"email:ann.lee@acme.io": "prf_ann"}
    assert snapshot.profiles["prf_ann"] == ann.state


def test_snapshot_of_keys_in_several_profiles(store: GraphStore) -> None:
    ann = seed(store, "prf_ann", ANN, seq=1)
    bob = seed(store, "prf_bob", ["email:bob@acme.io", "cookie_id:c-bob"], seq=2)
    seed(store, "prf_cy", ["email:cy@acme.io"], seq=3)

    snapshot = store.load_snapshot(["crm_id:C-1", "cookie_id:c-bob"])

    assert dict(snapshot.identifiers) == {"crm_id:C-1": "prf_ann", "cookie_id:c-bob": "prf_bob"}
    assert dict(snapshot.profiles) == {"prf_ann": ann.state, "prf_bob": bob.state}


def test_a_profile_write_replaces_the_whole_state(store: GraphStore) -> None:
    ann = seed(store, "prf_ann", ANN[:2], seq=1, attributes={"first_name": "Ann"})
    grown = copy_state(ann.state)
    grown.size = 3
    grown.type_counts = {"crm_id": 1, "email": 1, "phone": 1}
    grown.candidates = candidates("shop", at(2), first_name="Annie")
    grown.updated_at = at(2)
    obs = observation(2, ("crm_id:C-1", "phone:+12025550143"), source="shop")
    store.commit(
        Changeset(
            observations=[obs],
            new_identifiers=[
                NewIdentifier(Identifier.from_key("phone:+12025550143"), "prf_ann", False, at(2))
            ],
            profiles=[ProfileWrite(copy_state(grown), {"first_name": "Annie"}, at(2))],
            evidence=[evidence("crm_id:C-1", "phone:+12025550143", source="shop")],
        )
    )

    snapshot = store.load_snapshot(ANN)

    assert dict(snapshot.identifiers) == dict.fromkeys(ANN, "prf_ann")
    assert snapshot.profiles["prf_ann"] == grown
    profile = store.get_profiles(["prf_ann"])["prf_ann"]
    assert dict(profile.attributes) == {"first_name": "Annie"}
    assert profile.updated_at == at(2)
    assert profile.created_at == at(1)


def test_large_key_batches_are_answered(store: GraphStore) -> None:
    """An ingest batch of thousands of observations asks about tens of thousands of keys at
    once; a store must answer in batches, never fail on the number of keys."""
    seed(store, "prf_ann", ANN, seq=1)
    keys = [f"cookie_id:c-{n}" for n in range(40_000)] + ["email:ann.lee@acme.io"]

    snapshot = store.load_snapshot(keys)

    assert dict(snapshot.identifiers) == {"email:ann.lee@acme.io": "prf_ann"}
    assert store.profile_ids_for_identifiers(keys) == {"email:ann.lee@acme.io": "prf_ann"}
    assert store.known_observation_ids([f"obs-{n}" for n in range(40_000)]) == {"obs-1"}


def _apart(sides_x: set[tuple[int, int]], sides_y: set[tuple[int, int]], constraint: int) -> bool:
    """Which side is 0 is the store's choice; the two identifiers must be on opposite sides."""
    x = {side for c, side in sides_x if c == constraint}
    y = {side for c, side in sides_y if c == constraint}
    return len(x) == len(y) == 1 and x | y == {0, 1}


def test_cannot_link_sides_are_loaded_with_the_profiles(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_bob", ["email:bob@acme.io"], seq=2)
    seed(store, "prf_cy", ["email:cy@acme.io"], seq=3)

    first = store.add_cannot_link("crm_id:C-1", "email:bob@acme.io", "different people")
    second = store.add_cannot_link("email:cy@acme.io", "email:bob@acme.io", "twins")

    assert first != second
    profiles = store.load_snapshot(["email:ann.lee@acme.io", "email:bob@acme.io"]).profiles
    cy = store.load_snapshot(["email:cy@acme.io"]).profiles["prf_cy"]
    ann, bob = profiles["prf_ann"], profiles["prf_bob"]
    assert {c for c, _ in ann.constraint_sides} == {first}
    assert {c for c, _ in bob.constraint_sides} == {first, second}
    assert {c for c, _ in cy.constraint_sides} == {second}
    assert _apart(ann.constraint_sides, bob.constraint_sides, first)
    assert _apart(cy.constraint_sides, bob.constraint_sides, second)


def test_cannot_link_puts_the_two_identifiers_on_sides_0_and_1(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_bob", ["email:bob@acme.io"], seq=2)

    constraint = store.add_cannot_link("crm_id:C-1", "email:bob@acme.io", "different people")

    profiles = store.load_snapshot(["crm_id:C-1", "email:bob@acme.io"]).profiles
    assert profiles["prf_ann"].constraint_sides == {(constraint, 0)}
    assert profiles["prf_bob"].constraint_sides == {(constraint, 1)}


def test_the_same_cannot_link_twice_is_one_constraint(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_bob", ["email:bob@acme.io"], seq=2)

    first = store.add_cannot_link("crm_id:C-1", "email:bob@acme.io", "different people")
    again = store.add_cannot_link("crm_id:C-1", "email:bob@acme.io", "still different")
    reversed_ = store.add_cannot_link("email:bob@acme.io", "crm_id:C-1", "the other way round")

    assert first == again == reversed_
    profiles = store.load_snapshot(["crm_id:C-1", "email:bob@acme.io"]).profiles
    assert len(profiles["prf_ann"].constraint_sides) == 1
    assert _apart(profiles["prf_ann"].constraint_sides, profiles["prf_bob"].constraint_sides, first)


def test_cannot_link_on_an_identifier_not_yet_seen_applies_once_it_arrives(
    store: GraphStore,
) -> None:
    """The engine creates a profile without constraint sides; the store knows the constraints
    of its identifiers, so the snapshot carries them."""
    seed(store, "prf_ann", ANN, seq=1)
    constraint = store.add_cannot_link("email:ann.lee@acme.io", "email:later@acme.io", "steward")

    later = seed(store, "prf_later", ["email:later@acme.io", "cookie_id:c-9"], seq=2)

    state = store.load_snapshot(["cookie_id:c-9"]).profiles["prf_later"]
    ann = store.load_snapshot(["crm_id:C-1"]).profiles["prf_ann"]
    assert _apart(ann.constraint_sides, state.constraint_sides, constraint)
    expected = copy_state(later.state)
    expected.constraint_sides = set(state.constraint_sides)
    assert state == expected


def test_loaded_state_is_not_shared_with_the_store(store: GraphStore) -> None:
    """The engine mutates the states it is given; that must not change what the store holds."""
    ann = seed(store, "prf_ann", ANN, seq=1, attributes={"first_name": "Ann"})

    loaded = store.load_snapshot(ANN).profiles["prf_ann"]
    loaded.size = 99
    loaded.type_counts["email"] = 5
    loaded.candidates.clear()

    assert store.load_snapshot(ANN).profiles["prf_ann"] == ann.state


def test_states_of_profiles_created_in_one_changeset(store: GraphStore) -> None:
    ann = creation("prf_ann", ANN, seq=1)
    bob = creation("prf_bob", ["email:bob@acme.io"], seq=2, source="shop")
    both = Changeset(
        observations=ann.changeset.observations + bob.changeset.observations,
        new_identifiers=ann.changeset.new_identifiers + bob.changeset.new_identifiers,
        profiles=ann.changeset.profiles + bob.changeset.profiles,
        evidence=ann.changeset.evidence + bob.changeset.evidence,
    )
    store.commit(both)

    snapshot = store.load_snapshot([*ANN, "email:bob@acme.io"])

    expected: dict[str, ProfileState] = {"prf_ann": ann.state, "prf_bob": bob.state}
    assert dict(snapshot.profiles) == expected
