"""Merges: identifiers move to the survivor, the absorbed ID lives on as an alias."""

from __future__ import annotations

from datora_graph.domain.changeset import (
    Changeset,
    Merge,
    NewIdentifier,
    ProfileState,
    ProfileWrite,
)
from datora_graph.domain.identifiers import Identifier
from datora_graph.store.base import GraphStore

from .builders import at, copy_state, evidence, merged_state, merger, observation, seed

ANN = ("crm_id:C-1", "email:ann.lee@acme.io")
ANN_WEB = ("cookie_id:c-1", "device_id:d-1")
ANN_APP = ("user_id:u-1",)


def _merge_web_into_crm(store: GraphStore) -> ProfileState:
    crm = seed(store, "prf_crm", ANN, seq=1)
    web = seed(store, "prf_web", ANN_WEB, seq=2, source="web")
    changeset, merged = merger(
        crm.state, web.state, seq=3, link=("email:ann.lee@acme.io", "cookie_id:c-1")
    )
    store.commit(changeset)
    return merged


def test_identifiers_of_the_absorbed_profile_move_to_the_survivor(store: GraphStore) -> None:
    merged = _merge_web_into_crm(store)

    keys = [*ANN, *ANN_WEB]
    assert store.profile_ids_for_identifiers(keys) == dict.fromkeys(keys, "prf_crm")
    snapshot = store.load_snapshot(keys)
    assert dict(snapshot.identifiers) == dict.fromkeys(keys, "prf_crm")
    assert dict(snapshot.profiles) == {"prf_crm": merged}
    assert merged.size == 4


def test_the_absorbed_profile_is_gone_and_resolves_to_the_survivor(store: GraphStore) -> None:
    _merge_web_into_crm(store)

    assert store.get_profiles(["prf_crm", "prf_web"]).keys() == {"prf_crm"}
    assert store.resolve_profile_ids(["prf_crm", "prf_web", "prf_nobody"]) == {
        "prf_crm": "prf_crm",
        "prf_web": "prf_crm",
    }
    stats = store.stats()
    assert (stats.profiles, stats.identifiers) == (1, 4)


def test_the_survivor_lists_its_aliases_and_every_identifier(store: GraphStore) -> None:
    _merge_web_into_crm(store)

    profile = store.get_profiles(["prf_crm"])["prf_crm"]

    assert list(profile.aliases) == ["prf_web"]
    assert profile.size == 4
    assert {(i.identifier.key, i.first_seen) for i in profile.identifiers} == {
        ("crm_id:C-1", at(1)),
        ("email:ann.lee@acme.io", at(1)),
        ("cookie_id:c-1", at(2)),
        ("device_id:d-1", at(2)),
    }
    assert profile.created_at == at(1)
    assert profile.updated_at == at(3)


def test_alias_chains_resolve_to_the_current_profile(store: GraphStore) -> None:
    merged = _merge_web_into_crm(store)
    app = seed(store, "prf_app", ANN_APP, seq=4, source="app")
    changeset, final = merger(app.state, merged, seq=5, link=("user_id:u-1", "crm_id:C-1"))
    store.commit(changeset)

    assert store.resolve_profile_ids(["prf_web", "prf_crm", "prf_app"]) == {
        "prf_web": "prf_app",
        "prf_crm": "prf_app",
        "prf_app": "prf_app",
    }
    profiles = store.get_profiles(["prf_app", "prf_crm", "prf_web"])
    assert profiles.keys() == {"prf_app"}
    assert sorted(profiles["prf_app"].aliases) == ["prf_crm", "prf_web"]
    keys = [*ANN, *ANN_WEB, *ANN_APP]
    assert store.profile_ids_for_identifiers(keys) == dict.fromkeys(keys, "prf_app")
    assert dict(store.load_snapshot(keys).profiles) == {"prf_app": final}


def test_a_profile_created_and_absorbed_in_one_changeset_still_leaves_an_alias(
    store: GraphStore,
) -> None:
    """The engine reports a merge of a profile an earlier observation of the same batch created;
    its identifiers already name the survivor, and its ID must still resolve."""
    crm = seed(store, "prf_crm", ANN, seq=1)
    first = observation(2, ("cookie_id:c-1",), source="web")
    second = observation(3, ("cookie_id:c-1", "email:ann.lee@acme.io"), source="web")
    cookie_state = ProfileState("prf_cookie", 1, {"cookie_id": 1}, 2, at(2))
    merged = merged_state(crm.state, cookie_state)
    store.commit(
        Changeset(
            observations=[first, second],
            new_identifiers=[
                NewIdentifier(Identifier.from_key("cookie_id:c-1"), "prf_crm", False, at(2))
            ],
            merges=[Merge("prf_cookie", "prf_crm", second.id, at(3))],
            profiles=[ProfileWrite(copy_state(merged), {}, at(3))],
            evidence=[evidence("cookie_id:c-1", "email:ann.lee@acme.io", source="web")],
        )
    )

    assert store.resolve_profile_ids(["prf_cookie"]) == {"prf_cookie": "prf_crm"}
    assert list(store.get_profiles(["prf_crm"])["prf_crm"].aliases) == ["prf_cookie"]
    assert store.profile_ids_for_identifiers(["cookie_id:c-1"]) == {"cookie_id:c-1": "prf_crm"}
    assert store.stats().profiles == 1


def test_two_merges_into_one_survivor_in_one_changeset(store: GraphStore) -> None:
    crm = seed(store, "prf_crm", ANN, seq=1)
    web = seed(store, "prf_web", ANN_WEB, seq=2)
    app = seed(store, "prf_app", ANN_APP, seq=3)
    obs = observation(4, ("crm_id:C-1", "cookie_id:c-1", "user_id:u-1"))
    merged = merged_state(merged_state(crm.state, web.state), app.state)
    merged.updated_at = at(4)
    store.commit(
        Changeset(
            observations=[obs],
            merges=[
                Merge("prf_web", "prf_crm", obs.id, at(4)),
                Merge("prf_app", "prf_crm", obs.id, at(4)),
            ],
            profiles=[ProfileWrite(copy_state(merged), {}, at(4))],
            evidence=[
                evidence("crm_id:C-1", "cookie_id:c-1"),
                evidence("crm_id:C-1", "user_id:u-1"),
            ],
        )
    )

    keys = [*ANN, *ANN_WEB, *ANN_APP]
    assert store.profile_ids_for_identifiers(keys) == dict.fromkeys(keys, "prf_crm")
    assert sorted(store.get_profiles(["prf_crm"])["prf_crm"].aliases) == ["prf_app", "prf_web"]
    assert dict(store.load_snapshot(keys).profiles) == {"prf_crm": merged}


def test_constraint_sides_follow_the_identifiers_into_the_survivor(store: GraphStore) -> None:
    crm = seed(store, "prf_crm", ANN, seq=1)
    web = seed(store, "prf_web", ANN_WEB, seq=2)
    seed(store, "prf_bob", ["email:bob@acme.io"], seq=3)
    seed(store, "prf_cy", ["email:cy@acme.io"], seq=4)
    first = store.add_cannot_link("crm_id:C-1", "email:bob@acme.io", "different people")
    second = store.add_cannot_link("cookie_id:c-1", "email:cy@acme.io", "shared laptop")
    loaded = store.load_snapshot([*ANN, *ANN_WEB]).profiles
    changeset, merged = merger(
        loaded["prf_crm"], loaded["prf_web"], seq=5, link=("crm_id:C-1", "cookie_id:c-1")
    )
    store.commit(changeset)

    state = store.load_snapshot(["device_id:d-1"]).profiles["prf_crm"]

    assert state.constraint_sides == {(first, 0), (second, 0)}
    assert state == merged
    assert crm.state.size + web.state.size == state.size


def test_a_chain_of_merges_in_one_changeset_ends_at_the_last_survivor(store: GraphStore) -> None:
    """`web` into `crm`, then `crm` into `app`, in one batch and listed in any order: every
    identifier and both absorbed IDs end at `app`."""
    crm = seed(store, "prf_crm", ANN, seq=1)
    web = seed(store, "prf_web", ANN_WEB, seq=2)
    app = seed(store, "prf_app", ANN_APP, seq=3)
    obs = observation(4, ("user_id:u-1", "crm_id:C-1", "cookie_id:c-1"))
    merged = merged_state(app.state, merged_state(crm.state, web.state))
    merged.updated_at = at(4)
    store.commit(
        Changeset(
            observations=[obs],
            merges=[
                Merge("prf_crm", "prf_app", obs.id, at(4)),
                Merge("prf_web", "prf_crm", obs.id, at(4)),
            ],
            profiles=[ProfileWrite(copy_state(merged), {}, at(4))],
            evidence=[
                evidence("user_id:u-1", "crm_id:C-1"),
                evidence("user_id:u-1", "cookie_id:c-1"),
            ],
        )
    )

    keys = [*ANN, *ANN_WEB, *ANN_APP]
    assert store.profile_ids_for_identifiers(keys) == dict.fromkeys(keys, "prf_app")
    assert store.resolve_profile_ids(["prf_crm", "prf_web"]) == {
        "prf_crm": "prf_app",
        "prf_web": "prf_app",
    }
    assert store.get_profiles(["prf_app", "prf_crm", "prf_web"]).keys() == {"prf_app"}
    assert dict(store.load_snapshot(keys).profiles) == {"prf_app": merged}
